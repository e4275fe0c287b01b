"""The Gradio chat window (app.py), its HTML and text rendering (render.py) and the
handling of uploaded files (uploads.py); Gradio is imported only when the app is built."""
