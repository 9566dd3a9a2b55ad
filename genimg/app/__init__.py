"""The app: everything the Gradio UI needs and nothing the library needs. The only place gradio is imported.

    registry.py      the checkpoints the app serves, loaded once; the output folder for downloads
    checks.py        input checks (ValueError -> gr.Error with what is accepted) and shared limits
    tabs/<tab>.py    one module per tab: its components, its events, its handlers
    teaching.py      "How it works" content tied to the live models
    i18n.py          the strings, from locales/en.json and locales/zh.json
    style.css        the page's CSS

app.py (the repo's root) builds the page from the tabs and launches it.
"""
