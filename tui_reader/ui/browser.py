"""Open a URL in the user's web browser without letting a text-mode browser take over our terminal."""

from __future__ import annotations

# webbrowser falls back to these when there is no display; they would draw over the app.
CONSOLE_BROWSERS = {"www-browser", "links", "links2", "elinks", "lynx", "w3m"}


def open_in_browser(url: str) -> str | None:
    """Open `url`; None on success, else why it could not be opened. Blocking: run it in a thread."""
    import webbrowser  # on the first link opened, not at start

    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return "no web browser was found"
    if getattr(browser, "name", "") in CONSOLE_BROWSERS:
        return f"the only browser found is the text-mode {browser.name}, which would take over this terminal"
    try:
        opened = browser.open(url)
    except Exception as error:  # a browser launcher can fail in many ways; each means "not opened"
        return f"the browser could not be started ({error})"
    return None if opened else "the browser did not accept the link"
