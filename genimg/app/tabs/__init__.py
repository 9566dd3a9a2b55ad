"""The app's tabs, one module each: its components (`build`), its events, and its handlers (plain Python in
and out, tested without a browser). app.py puts them on one page; cross-tab events (the model selector,
"edit in sliders") are wired by the tab that owns the button.

    gan.py     GAN: sample from seeds, interpolate
    vae.py     VAE: latent sliders, traversal, 2-D latent map
    encode.py  Encode / decode an upload or a drawing
    card.py    Model card
    how.py     How it works (teaching, tied to the live models)
"""
