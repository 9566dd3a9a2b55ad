"""The app's tabs, one module each: its components (`build`), its events, and its handlers (plain Python in
and out, tested without a browser). app.py puts them on one page; cross-tab events (the model selector,
"edit in sliders") are wired by the tab that owns the button.

    gan.py         GAN: sample from seeds, interpolate (GIF, MP4), the ZIP, recipes, and its sections:
      invert.py      find an uploaded image in the GAN
      directions.py  the discovered-direction editor and the truncation sweep (handlers)
      copying.py     "is it just copying?": a sample's nearest training images
    vae.py         VAE: latent sliders, traversal, 2-D latent map, the learned-prior switch
    encode.py      Encode / decode an upload or a drawing
    card.py        Model card
    how.py         How it works (teaching, tied to the live models)
    lab.py         Lab: a GAN and a VAE training in the visitor's browser
    live.py        the browser side's wiring: runtime in <head>, live canvases, the server fallback
"""
