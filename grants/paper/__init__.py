"""The ministry's own paper: orders, forms and registers rendered as PDF.

Documents are HTML templates under ``templates/paper/`` rendered by WeasyPrint
(``render.render_pdf``). Headings are in Hindi and English, as Government of
India letters are; the body is in the reader's language. Fonts are the app's
own (Noto Sans Devanagari, in ``static/fonts/``) and nothing is fetched from
the network: the URL fetcher serves only the app's static files.
"""
