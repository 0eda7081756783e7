"""An import-linter contract type for submodules of outside packages.

import-linter's ``forbidden`` contract can forbid a whole outside package
(``flask``, ``socket``) but not one of its submodules, because the import
graph knows outside packages by their top-level name only. The core may use
``urllib.parse`` and ``http.HTTPStatus`` but must not open connections with
``urllib.request`` or ``http.client``: this contract tells the two apart by
reading the import statements the graph recorded.
"""

from __future__ import annotations

import re
from typing import Any

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.domain.imports import ImportExpression, Module


def names_submodule(statement: str, submodule: str) -> bool:
    """Return whether one import statement imports ``submodule`` (e.g. ``urllib.request``).

    ``import urllib.request``, ``import urllib.request as r``,
    ``from urllib.request import urlopen`` and ``from urllib import request``
    all do; ``from urllib.parse import quote`` does not.
    """
    package, _, leaf = submodule.rpartition(".")
    dotted = re.escape(submodule)
    if re.match(rf"\s*(import|from)\s+{dotted}(\.|\s|,|$)", statement):
        return True
    if re.match(rf"\s*import\s+.*\b{dotted}\b", statement):
        return True
    from_package = re.match(rf"\s*from\s+{re.escape(package)}\s+import\s+(.*)", statement)
    if from_package is None:
        return False
    imported = re.sub(r"\bas\s+\w+", "", from_package.group(1)).strip("()\\ ")
    return leaf in {name.strip("() ") for name in imported.split(",")}


class ForbiddenSubmodulesContract(Contract):
    """No module under ``source_modules`` imports one of ``forbidden_modules`` directly.

    ``forbidden_modules`` are dotted names inside outside packages, such as
    ``urllib.request``. Only direct imports are checked: every module of the
    source packages is scanned, so a chain through another source module is
    caught where it leaves the package. The graph must be built with
    ``include_external_packages = True``.
    """

    type_name = "forbidden_submodules"

    source_modules = fields.SetField(subfield=fields.ModuleField())
    forbidden_modules = fields.SetField(subfield=fields.StringField())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        """Find every direct import of a forbidden submodule."""
        # import-linter fills the fields in at run time; they are typed as Field here.
        source_modules: set[Module] = self.source_modules  # type: ignore[assignment]
        forbidden: set[str] = self.forbidden_modules  # type: ignore[assignment]
        ignore_imports: set[ImportExpression] | None = self.ignore_imports  # type: ignore[assignment]
        sources = [module.name for module in source_modules]
        ignored = {
            (str(expression.importer), str(expression.imported))
            for expression in ignore_imports or ()
        }
        broken: list[dict[str, Any]] = []
        for importer in sorted(graph.modules):
            if not any(importer == s or importer.startswith(s + ".") for s in sources):
                continue
            for submodule in sorted(forbidden):
                top = submodule.split(".")[0]
                if (importer, top) in ignored or top not in graph.modules:
                    continue
                if not graph.direct_import_exists(importer=importer, imported=top):
                    continue
                for detail in graph.get_import_details(importer=importer, imported=top):
                    if names_submodule(detail["line_contents"], submodule):
                        broken.append(
                            {
                                "importer": importer,
                                "imported": submodule,
                                "line_number": detail["line_number"],
                            }
                        )
        return ContractCheck(kept=not broken, warnings=[], metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """Print one line per forbidden import: who, what and where."""
        for item in check.metadata["broken"]:
            output.print_error(
                f"{item['importer']} imports {item['imported']} (l.{item['line_number']})",
                bold=False,
            )
            output.new_line()
