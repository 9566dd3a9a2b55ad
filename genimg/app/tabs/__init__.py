"""The app's tabs, one module (or package) each, as sections with one contract: `build` (layout), `wire`
(events) and, where the model selector changes what the server shows, `on_model(model, lang) -> {component:
update}` (Gradio's dict updates). What a student sees is drawn in the browser from the page state
(genimg/app/web/views/); a tab's Python holds its layout, one-line hooks into the page, and the handlers behind
its `api_name`s (plain Python in and out, tested without a browser), which are the page's fallback and the API.

    gan/           GAN: sample from seeds, one module per section (gallery, interpolation, copying, directions,
                   invert, recipe)
    vae.py         VAE: latent sliders, traversal, 2-D latent map, the learned-prior switch
    encode.py      Encode / decode an upload or a drawing
    card.py        Model card
    how.py         How it works (teaching, tied to the live models)
    lab.py         Lab: a GAN and a VAE training in the visitor's browser
    quiz.py        Real or generated?: the quiz (browser) and the class tally (server)
"""
