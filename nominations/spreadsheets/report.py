"""The row-by-row report of an import (what the API answers, what the command prints)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RowReport:
    sheet: str
    row: int
    title: str
    action: str = "create"
    errors: dict[str, list[str]] = field(default_factory=dict)
    id: int | None = None
    cells: dict[str, str] = field(default_factory=dict)  # field -> cell ("S5")

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def add_refusal(self, exc) -> None:
        """A service's refusal of the row (an ``ApplicationError``): the messages of its
        fields, or else its message under the title."""
        for name, messages in (exc.fields or {"title": [exc.message]}).items():
            for message in messages:
                self.add(name, message)

    def as_dict(self) -> dict:
        out = {
            "sheet": self.sheet,
            "row": self.row,
            "title": self.title,
            "action": self.action,
            "errors": self.errors,
        }
        if self.id is not None:
            out["id"] = self.id
        return out


@dataclass
class ImportResult:
    dry_run: bool
    rows: list[RowReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about a whole sheet or the file
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    created: list[int] = field(default_factory=list)

    def forget_writes(self) -> None:
        """The import's transaction was rolled back (a dry run, or a wrong row): nothing was created."""
        self.created = []
        for report in self.rows:
            report.id = None

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.errors and not any(r.errors for r in self.rows)

    @property
    def wrong_rows(self) -> list[RowReport]:
        return [r for r in self.rows if r.errors]

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "valid": self.valid,
            "rows": [r.as_dict() for r in self.rows],
            "errors": self.errors,
            "ignored_columns": self.ignored_columns,
            "created": len(self.created),
            "ids": self.created,
        }

    def error_fields(self) -> dict[str, list[str]]:
        """The wrong cells in the API's one error shape: ``{"<sheet>!<cell>": [messages]}``."""
        out: dict[str, list[str]] = {}
        if self.errors:
            out["file"] = list(self.errors)
        for report in self.wrong_rows:
            for name, messages in report.errors.items():
                where = report.cells.get(name) or f"第{report.row}行"
                out.setdefault(f"{report.sheet}!{where}", []).extend(messages)
        return out

    def summary(self) -> str:
        wrong = len(self.wrong_rows)
        if self.errors or wrong:
            return (
                f"导入文件共 {len(self.rows)} 行，其中 {wrong} 行有误"
                + (f"，另有 {len(self.errors)} 处文件或工作表问题" if self.errors else "")
                + "，未导入任何推荐。"
            )
        if not self.rows:
            return "导入文件中没有可导入的数据行。"
        if self.dry_run:
            return f"试运行：共 {len(self.rows)} 行，全部可以导入为草稿；未写入任何数据。"
        return f"已导入 {len(self.created)} 项推荐，均为草稿。"
