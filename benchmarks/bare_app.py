"""The baseline for the start-up benchmark: a bare Textual app with a header, a text and a footer."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class BareApp(App):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Forward pass: a bare Textual app")
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
