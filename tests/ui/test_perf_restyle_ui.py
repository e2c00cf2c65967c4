"""``set_classes_shallow`` (nn_tui/ui/perf/screen.py): a class change on a container restyles
the container and only those of its children a rule naming the class can select."""

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
    #grid.-beside > #loss { column-span: 2; }
    #grid.-beside > Box { column-span: 2; }
    #grid > #text { column-span: 1; }
    """

    def compose(self) -> ComposeResult:
        with Container(id="grid"):
            yield Static("loss", id="loss")
            yield Static("text", id="text")
            yield Box("box", id="box")


async def test_only_the_children_a_rule_of_the_changed_class_names_are_restyled(monkeypatch):
    app = GridApp()
    async with app.run_test(size=(40, 12)) as pilot:
        grid = app.query_one("#grid")
        restyled = []
        update_nodes = app.stylesheet.update_nodes

        def spy(nodes, animate=False):
            nodes = list(nodes)
            restyled.append([node.id for node in nodes])
            update_nodes(nodes, animate=animate)

        monkeypatch.setattr(app.stylesheet, "update_nodes", spy)

        # -tall styles the grid only.
        assert set_classes_shallow(grid, {"-tall": True, "-beside": False},
                                   restyle=grid.children)
        await pilot.pause()
        assert restyled == [["grid"]]
        assert [str(row) for row in grid.styles.grid_rows] == ["5", "5"]

        # -beside styles #loss (by id) and the Box (by type), not #text.
        assert set_classes_shallow(grid, {"-tall": True, "-beside": True},
                                   restyle=grid.children)
        await pilot.pause()
        assert restyled[-1] == ["grid", "loss", "box"]
        assert app.query_one("#loss").styles.column_span == 2
        assert app.query_one("#box").styles.column_span == 2
        assert app.query_one("#text").styles.column_span == 1

        # And back: the rule no longer applies, the children restyled get their span back.
        assert set_classes_shallow(grid, {"-tall": False, "-beside": False},
                                   restyle=grid.children)
        await pilot.pause()
        assert restyled[-1] == ["grid", "loss", "box"]
        assert app.query_one("#loss").styles.column_span == 1
        assert [str(row) for row in grid.styles.grid_rows] == ["3", "3"]

        # No change: nothing restyled.
        count = len(restyled)
        assert not set_classes_shallow(grid, {"-tall": False, "-beside": False},
                                       restyle=grid.children)
        assert len(restyled) == count
