"""``set_classes_shallow`` (nn_tui/ui/perf/screen.py): a class change on a container restyles
the container (unless its rules stay the same) and only those of its children a rule naming
the class can select."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Container
from textual.widgets import Static

from nn_tui.ui.perf.screen import set_classes_shallow


class Box(Static):
    """A widget selected by its type in the CSS below."""


class GridApp(App):
    CSS = """
    #grid { layout: grid; grid-size: 2; grid-rows: 3 3; }
    #grid.-tall { grid-rows: 5 5; }
    #grid.-same { grid-rows: 3 3; }  /* the rows it has anyway */
    Screen.-roomy #grid.-same { grid-rows: 6 6; }
    #grid.-beside > #loss { column-span: 2; }
    #grid.-beside > Box { column-span: 2; }
    #grid > #text { column-span: 1; }
    """

    def compose(self) -> ComposeResult:
        with Container(id="grid"):
            yield Static("loss", id="loss")
            yield Static("text", id="text")
            yield Box("box", id="box")


def spy_on_restyles(app, monkeypatch) -> list[str]:
    """The ids of the nodes the stylesheet restyles from now on, in order."""
    restyled = []
    apply = app.stylesheet.apply

    def spy(node, *args, **kwargs):
        restyled.append(node.id)
        return apply(node, *args, **kwargs)

    monkeypatch.setattr(app.stylesheet, "apply", spy)
    return restyled


def rows(widget) -> list[str]:
    return [str(row) for row in widget.styles.grid_rows]


async def test_only_the_children_a_rule_of_the_changed_class_names_are_restyled(monkeypatch):
    app = GridApp()
    async with app.run_test(size=(40, 12)) as pilot:
        grid = app.query_one("#grid")
        restyled = spy_on_restyles(app, monkeypatch)
        off = {"-tall": False, "-beside": False, "-same": False}

        # -tall styles the grid only.
        assert set_classes_shallow(grid, {**off, "-tall": True}, restyle=grid.children)
        await pilot.pause()
        assert restyled == ["grid"]
        assert rows(grid) == ["5", "5"]

        # -beside styles #loss (by id) and the Box (by type), not #text.
        restyled.clear()
        assert set_classes_shallow(grid, {**off, "-tall": True, "-beside": True},
                                   restyle=grid.children)
        await pilot.pause()
        assert restyled == ["grid", "loss", "box"]
        assert app.query_one("#loss").styles.column_span == 2
        assert app.query_one("#box").styles.column_span == 2
        assert app.query_one("#text").styles.column_span == 1

        # And back: the rule no longer applies, the children restyled get their span back.
        restyled.clear()
        assert set_classes_shallow(grid, off, restyle=grid.children)
        await pilot.pause()
        assert restyled == ["grid", "loss", "box"]
        assert app.query_one("#loss").styles.column_span == 1
        assert rows(grid) == ["3", "3"]

        # No change: nothing restyled.
        restyled.clear()
        assert not set_classes_shallow(grid, off, restyle=grid.children)
        assert restyled == []


async def test_the_container_is_restyled_only_when_its_rules_change(monkeypatch):
    app = GridApp()
    async with app.run_test(size=(40, 12)) as pilot:
        grid = app.query_one("#grid")
        restyled = spy_on_restyles(app, monkeypatch)
        off = {"-tall": False, "-beside": False, "-same": False}

        def toggle(**classes) -> None:
            assert set_classes_shallow(grid, {**off, **classes})

        # The first time each set of classes is met, the grid is restyled (its rules are
        # learnt); once both are known and equal, a change between them restyles nothing.
        toggle(**{"-same": True})
        toggle()
        assert restyled == ["grid", "grid"]
        toggle(**{"-same": True})
        toggle()
        assert restyled == ["grid", "grid"] and rows(grid) == ["3", "3"]
        # Rules that differ are applied every time.
        toggle(**{"-tall": True})
        toggle()
        toggle(**{"-tall": True})
        assert restyled[2:] == ["grid", "grid", "grid"] and rows(grid) == ["5", "5"]
        toggle()
        assert rows(grid) == ["3", "3"]

        # In another context (a class of the screen) -same gives other rows: known apart.
        app.screen.add_class("-roomy")
        await pilot.pause()
        restyled.clear()
        toggle(**{"-same": True})
        assert restyled == ["grid"] and rows(grid) == ["6", "6"]
        toggle()
        assert rows(grid) == ["3", "3"]
        toggle(**{"-same": True})
        assert rows(grid) == ["6", "6"]

        # The CSS parsed again (a theme change): nothing known is trusted.
        app.screen.remove_class("-roomy")
        await pilot.pause()
        app.stylesheet.reparse()
        restyled.clear()
        toggle()
        toggle(**{"-same": True})
        assert restyled == ["grid", "grid"]


class HoverGridApp(GridApp):
    """The grid's rules test a pseudo-class that sets a flag on it when styled (:hover)."""

    CSS = GridApp.CSS + "#grid.-same:hover { grid-rows: 4 4; }\n"


class AncestorGridApp(GridApp):
    """A rule that selects the grid tests a pseudo-class of an ancestor."""

    CSS = GridApp.CSS + "Screen:focus-within #grid.-same { grid-rows: 4 4; }\n"


async def test_rules_testing_flagged_or_ancestor_pseudo_classes_always_restyle(monkeypatch):
    for app in (HoverGridApp(), AncestorGridApp()):
        async with app.run_test(size=(40, 12)):
            grid = app.query_one("#grid")
            restyled = spy_on_restyles(app, monkeypatch)
            for _ in range(3):
                assert set_classes_shallow(grid, {"-same": True})
                assert set_classes_shallow(grid, {"-same": False})
            assert restyled == ["grid"] * 6
