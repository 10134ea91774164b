"""An import-linter contract that import-linter lacks: no import cycle between any two
modules, whichever packages they are in (its own ``acyclic_siblings`` only compares the
children of one package)."""

import grimp
from importlinter import Contract, ContractCheck, fields, output


class NoCyclesContract(Contract):
    type_name = "no_cycles"

    containers = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        modules = set()
        for container in self.containers:  # type: ignore[attr-defined]
            modules |= {container, *graph.find_descendants(container)}
        cycles, seen = [], set()
        for importer in sorted(modules):
            for imported in sorted(graph.find_modules_directly_imported_by(importer) & modules):
                back = graph.find_shortest_chain(importer=imported, imported=importer)
                if back and frozenset(back) not in seen:
                    seen.add(frozenset(back))
                    cycles.append([importer, *back])
        return ContractCheck(kept=not cycles, warnings=[], metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error(" -> ".join(cycle))
            output.new_line()
