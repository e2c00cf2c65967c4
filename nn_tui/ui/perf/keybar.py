"""The footer of the lesson screen and the picker: the keys that work right now, on one line,
clickable.

Textual's ``Footer`` rebuilds a widget per key whenever a key is enabled or disabled, which on
the lesson screen happens at every question and cost more than drawing the step itself. This
bar is one widget that re-renders its line; it reads the same ``active_bindings`` and shows only
the keys whose action is currently allowed, so it is as live as the Footer.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        background: $footer-background;
    }
    KeyBar > .keybar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .keybar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    """
    COMPONENT_CLASSES = {"keybar--key", "keybar--description"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # (key as shown, description, action, namespace) of each key, in the screen's order
        self._entries: list[tuple[str, str, str, object]] = []
        self._palette: tuple[str, str, str, object] | None = None
        # (start, end, action, namespace) of each key on the line last rendered, for clicks
        self._spans: list[tuple[int, int, str, object]] = []
        self._order: dict[str, int] | None = None  # action → place in the screen's BINDINGS
        self._shown_keys: dict[Binding, str] = {}  # a binding's key as the bar shows it

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._rebuild()

    def _bindings_changed(self, screen) -> None:
        if screen is self.screen:
            self._rebuild()

    def _rebuild(self) -> None:
        # The screen's BINDINGS list the keys most used first; focus can reorder
        # active_bindings, so sort by that list. (Both the order and the keys as displayed
        # are worked out once: a rebuild at a question is on the step's way to the screen.)
        order = self._order
        if order is None:
            order = self._order = {
                binding.action: position
                for position, binding in enumerate(getattr(self.screen, "BINDINGS", ()))
                if hasattr(binding, "action")}
        entries, palette = [], None
        # A screen may word a key's entry for now (the lesson screen's "4 digits").
        describe = getattr(self.screen, "describe_binding", lambda binding: binding.description)
        shown = self._shown_keys
        for key, (node, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            display = shown.get(binding)
            if display is None:
                display = shown[binding] = self.app.get_key_display(binding)
            entry = (display, describe(binding), binding.action, node)
            if key == self.app.COMMAND_PALETTE_BINDING:
                palette = (entry[0], "palette", binding.action, node)
            elif binding.show and enabled and all(e[2] != binding.action for e in entries):
                entries.append(entry)
        entries.sort(key=lambda entry: order.get(entry[2], len(order)))
        # The focused widget may name keys of its own that matter now (the answer box, while
        # it holds text: Enter checks, Escape leaves it; the lesson's letters type).
        focused = self.screen.focused
        hints = getattr(focused, "key_hints", None)
        for key, action, description in (hints() if callable(hints) else ()):
            entries.append((self.app.get_key_display(Binding(key, action, description)),
                            description, action, focused))
        if entries != self._entries or palette != self._palette:
            self._entries, self._palette = entries, palette
            self.refresh()

    @property
    def keys(self) -> list[str]:
        """The keys shown, as displayed (for tests and the help screen)."""
        return [f"{key} {description}" for key, description, _action, _node in self._entries]

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key")
        description_style = self.get_component_rich_style("keybar--description")
        line = Text(no_wrap=True, overflow="ellipsis")
        spans = []
        for key, description, action, node in self._entries:
            start = line.cell_len
            line.append(f" {key} ", style=key_style)
            line.append(f"{description} ", style=description_style)
            spans.append((start, line.cell_len, action, node))
        palette = self._palette
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            key, description, action, node = palette
            label_width = len(key) + len(description) + 3
            # At the right edge, when there is room for it after the other keys.
            if line.cell_len + 2 + label_width <= self.size.width:
                line.append(" " * (self.size.width - line.cell_len - label_width))
                start = line.cell_len
                line.append(f" {key} ", style=key_style)
                line.append(f"{description} ", style=description_style)
                spans.append((start, line.cell_len, action, node))
        self._spans = spans
        return line

    async def on_click(self, event: events.Click) -> None:
        for start, end, action, node in self._spans:
            if start <= event.x < end:
                await self.app.run_action(action, node)
                return
