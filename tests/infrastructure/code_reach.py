"""What each function of the Chalice app can reach in the code: table operations and AWS calls.

A static reading of `app.py` and `chalicelib/` (not `chalicelib/local`, which never runs in
AWS), used by `test_permissions.py` to hold `infrastructure/stacks/permissions.py` to the code.

How it reads the code:

- A call graph over functions and methods. A name is followed through the module's imports
  and definitions; `obj.method` is followed when `obj`'s type is known: a module, a class, `self`,
  a parameter or variable with an annotation, a variable assigned from a class or from a
  function with a return annotation (`wiring.accounts() -> CognitoAccounts`), a loop variable
  over a model's query. A reference counts as a call (a handler passed as a value is reached).
- The entry points: each `@app.on_sqs_message`/`@app.schedule` function of `app.py`, and for
  the API handler everything `app.py` does at module level (routes bind handlers by reference),
  plus every method of the framework objects it builds there (Chalice calls them).
- Table operations, per model of `chalicelib.adapters.tables`: `M.get` (GetItem), `M.query`,
  `M.count`, `M.<index>.query` (Query, on the table or the index), `M.batch_get` (BatchGetItem),
  `M.batch_write` (BatchWriteItem), `M.scan` (Scan); an update action on a model attribute
  (`M.attr.set(...)`, `getattr(M, name).remove()` etc.: UpdateItem); `x.save()`, `x.update()`,
  `x.delete()`, `x.refresh()` on a model instance, or a transaction's `save`/`update`/`delete` of one (PutItem, UpdateItem,
  DeleteItem: DynamoDB authorizes each item of a transaction by these actions), a
  transaction's `condition_check(..., M, ...)` (ConditionCheckItem), and a TransactGet's
  `get(M, ...)` (GetItem: DynamoDB authorizes each item of a TransactGetItems by it).
- AWS calls: `client.operation(...)` on a boto3 client (`wiring._client("sqs")`) or on an
  adapter's `self._client` (the service each adapter is built with in `wiring`).
- A write whose model cannot be told (`x.save()` with `x` of unknown type) is reported, not
  guessed: the test fails on it, and the fix is a type annotation in the code.
- Libraries are opaque: what they do on our behalf is declared in LIBRARY_CALLS, with the
  function of ours that hands them the resource.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pynamodb.indexes import Index

from chalicelib.adapters import tables

ROOT = Path(__file__).resolve().parents[2]
TABLES_MODULE = "chalicelib.adapters.tables"
# Helpers that write whatever item their caller hands them; the caller names the model.
GENERIC_WRITERS = {"chalicelib.adapters.dynamo"}
# The AWS service of each adapter's `self._client` (as `chalicelib/wiring.py` builds them).
ADAPTER_CLIENTS = {
    "chalicelib.adapters.cognito.CognitoAccounts": "cognito-idp",
    "chalicelib.adapters.sms.SmsSender": "sns",
    "chalicelib.adapters.email.EmailSender": "ses",
    "chalicelib.adapters.signing.KmsSigner": "kms",
}
# What a library does with our resources, keyed by the function of ours that hands it over.
# Powertools' DynamoDB idempotency store (utilities/idempotency/persistence/dynamodb.py):
# get_item, put_item (conditional), update_item, delete_item on the record table.
LIBRARY_CALLS = {
    "chalicelib.adapters.idempotency._store": {
        ("table", "IdempotencyRecord", "GetItem", None),
        ("table", "IdempotencyRecord", "PutItem", None),
        ("table", "IdempotencyRecord", "UpdateItem", None),
        ("table", "IdempotencyRecord", "DeleteItem", None),
    },
}
MODEL_CLASS_OPS = {"get": "GetItem", "query": "Query", "count": "Query", "batch_get": "BatchGetItem",
                   "batch_write": "BatchWriteItem", "scan": "Scan"}
INDEX_OPS = {"query": "Query", "count": "Query", "scan": "Scan"}
INSTANCE_OPS = {"save": "PutItem", "update": "UpdateItem", "delete": "DeleteItem", "refresh": "GetItem"}
UPDATE_ACTIONS = {"set", "remove", "add", "delete", "append", "prepend"}
FRAMEWORK_CALLBACKS = "framework"


def _camel(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


# -- types the reading knows -------------------------------------------------------------------
# ("module", qn) ("class", qn) ("function", qn) ("var", qn): definitions in our code
# ("model", Name): a table model class; ("index", Name, index_name); ("field", Name)
# ("instance", qn): an object of our class (a model's qn is TABLES_MODULE + "." + Name)
# ("boto", service): a boto3 client; ("batch", Name): a model's batch writer


@dataclass
class Facts:
    """What one function does itself (not through what it calls)."""

    calls: set[str] = field(default_factory=set)  # qualified names of our functions reached
    uses: set[tuple] = field(default_factory=set)  # ("table", Model, Action, index|None) | ("aws", service, Op)
    unattributed: list[str] = field(default_factory=list)  # write sites whose model is unknown


@dataclass
class Reach:
    functions: set[str]
    uses: set[tuple]
    unattributed: list[str]

    def tables(self) -> dict[str, set[tuple[str, str | None]]]:
        """Model name -> {(action, index or None)}."""
        out: dict[str, set[tuple[str, str | None]]] = {}
        for use in self.uses:
            if use[0] == "table":
                out.setdefault(use[1], set()).add((use[2], use[3]))
        return out

    def aws(self) -> set[tuple[str, str]]:
        return {(u[1], u[2]) for u in self.uses if u[0] == "aws"}


class Code:
    def __init__(self, root: Path = ROOT) -> None:
        self.root = root
        self.modules: dict[str, ast.Module] = {}
        self.paths: dict[str, Path] = {}
        paths = [root / "app.py", *sorted((root / "chalicelib").rglob("*.py"))]
        for path in paths:
            relative = path.relative_to(root).with_suffix("")
            if relative.parts[:2] == ("chalicelib", "local"):
                continue
            parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
            name = ".".join(parts)
            self.modules[name] = ast.parse(path.read_text(), filename=str(path))
            self.paths[name] = path
        self.imports: dict[str, dict[str, str]] = {}
        self.defs: dict[str, tuple[str, ast.AST, str | None]] = {}  # qn -> (module, node, class qn)
        self.kinds: dict[str, str] = {}
        for module, tree in self.modules.items():
            self.imports[module] = self._imports(module, tree)
            for node in tree.body:
                self._define(module, node, None)
        self.models = {m.__name__: m for m in tables.ALL_TABLES}
        self.indexes = {
            (name, attribute): value.Meta.index_name
            for name, model in self.models.items()
            for attribute, value in vars(model).items()
            if isinstance(value, Index)
        }
        self._facts: dict[str, Facts] = {}
        self._returns: dict[str, tuple | None] = {}

    # -- definitions ---------------------------------------------------------------------------

    def _imports(self, module: str, tree: ast.Module) -> dict[str, str]:
        names: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    names[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        return names

    def _define(self, module: str, node: ast.AST, owner: str | None) -> None:
        prefix = owner or module
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            qn = f"{prefix}.{node.name}"
            self.defs[qn] = (module, node, owner)
            self.kinds[qn] = "function"
        elif isinstance(node, ast.ClassDef):
            qn = f"{prefix}.{node.name}"
            self.defs[qn] = (module, node, owner)
            self.kinds[qn] = "class"
            for child in node.body:
                self._define(module, child, qn)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and owner is None and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    qn = f"{module}.{target.id}"
                    self.defs[qn] = (module, node, None)
                    self.kinds[qn] = "var"

    def _symbol(self, qn: str) -> tuple | None:
        if qn in self.modules:
            return ("module", qn)
        if qn.startswith(TABLES_MODULE + ".") and qn.rsplit(".", 1)[1] in getattr(self, "models", {}):
            return ("model", qn.rsplit(".", 1)[1])
        kind = self.kinds.get(qn)
        return (kind, qn) if kind else None

    def _bases(self, class_qn: str) -> list[str]:
        """The class and its bases defined in our code, nearest first."""
        seen, order = set(), [class_qn]
        for qn in order:
            if qn in seen or qn not in self.defs:
                continue
            seen.add(qn)
            module, node, _ = self.defs[qn]
            for base in node.bases:  # type: ignore[attr-defined]
                resolved = self.resolve(base, module, {}, None)
                if resolved and resolved[0] == "class":
                    order.append(resolved[1])
        return order

    def _member(self, class_qn: str, name: str) -> tuple | None:
        for qn in self._bases(class_qn):
            member = f"{qn}.{name}"
            if member in self.defs:
                return self._symbol(member)
            # a dataclass field or annotated class attribute: its type
            _, node, _ = self.defs[qn]
            for child in node.body:  # type: ignore[attr-defined]
                if isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name) and child.target.id == name:
                    return self.annotation_type(child.annotation, self.defs[qn][0])
        return None

    # -- resolution ----------------------------------------------------------------------------

    def resolve(self, expr: ast.AST, module: str, env: dict[str, tuple], owner: str | None) -> tuple | None:
        """What `expr` is: one of the types listed above, or None when unknown."""
        if isinstance(expr, ast.Name):
            if expr.id in env:
                return env[expr.id]
            if expr.id in ("self", "cls") and owner:
                return ("instance", owner)
            local = self._symbol(f"{module}.{expr.id}")
            if local:
                return local
            target = self.imports[module].get(expr.id)
            return self._symbol(target) if target else None
        if isinstance(expr, ast.Attribute):
            base = self.resolve(expr.value, module, env, owner)
            if base is None:
                return None
            kind = base[0]
            if kind == "module":
                return self._symbol(f"{base[1]}.{expr.attr}")
            if kind == "model":
                if (base[1], expr.attr) in self.indexes:
                    return ("index", base[1], self.indexes[(base[1], expr.attr)])
                if expr.attr in self.models[base[1]].get_attributes():
                    return ("field", base[1])
                return None
            if kind in ("class", "instance") and not base[1].startswith(TABLES_MODULE + "."):
                if kind == "instance" and expr.attr == "_client" and base[1] in ADAPTER_CLIENTS:
                    return ("boto", ADAPTER_CLIENTS[base[1]])
                return self._member(base[1], expr.attr)
            return None
        if isinstance(expr, ast.Call):
            return self.call_type(expr, module, env, owner)
        return None

    def call_type(self, call: ast.Call, module: str, env: dict[str, tuple], owner: str | None) -> tuple | None:
        """The type of what `call` returns."""
        func = call.func
        if isinstance(func, ast.Name) and func.id == "getattr" and call.args:
            # `getattr(M, name)`: an attribute of model M chosen by name (its update actions are M's)
            of = self.resolve(call.args[0], module, env, owner)
            return ("field", of[1]) if of and of[0] == "model" else None
        if isinstance(func, ast.Attribute):
            base = self.resolve(func.value, module, env, owner)
            if base and base[0] == "model" and func.attr == "get":
                return ("instance", f"{TABLES_MODULE}.{base[1]}")
            if base and base[0] == "model" and func.attr == "batch_write":
                return ("batch", base[1])
        target = self.resolve(func, module, env, owner)
        if target is None:
            return None
        if target[0] == "model":
            return ("instance", f"{TABLES_MODULE}.{target[1]}")
        if target[0] == "class":
            return ("instance", target[1])
        if target[0] == "function":
            if target[1] == "chalicelib.wiring._client" and call.args and isinstance(call.args[0], ast.Constant):
                return ("boto", call.args[0].value)
            return self.return_type(target[1])
        return None

    def return_type(self, qn: str) -> tuple | None:
        if qn in self._returns:
            return self._returns[qn]
        self._returns[qn] = None  # recursion guard
        module, node, owner = self.defs[qn]
        result = None
        if node.returns is not None:  # type: ignore[attr-defined]
            result = self.annotation_type(node.returns, module)  # type: ignore[attr-defined]
        else:
            env = self.environment(qn)
            for child in ast.walk(node):
                if isinstance(child, ast.Return) and child.value is not None:
                    result = self.resolve(child.value, module, env, owner) or result
        self._returns[qn] = result
        return result

    def annotation_type(self, annotation: ast.AST, module: str) -> tuple | None:
        """`C`, `C | None`, `Optional[C]`, `list[C]` and the like -> an instance of C."""
        if isinstance(annotation, ast.BinOp):
            return self.annotation_type(annotation.left, module) or self.annotation_type(annotation.right, module)
        if isinstance(annotation, ast.Subscript):
            inner = annotation.slice
            elements = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            for element in elements:
                found = self.annotation_type(element, module)
                if found:
                    return found
            return None
        resolved = self.resolve(annotation, module, {}, None)
        if resolved and resolved[0] == "model":
            return ("instance", f"{TABLES_MODULE}.{resolved[1]}")
        if resolved and resolved[0] == "class":
            return ("instance", resolved[1])
        return None

    def environment(self, qn: str) -> dict[str, tuple]:
        """Types of a function's parameters and local names, as far as they can be told."""
        module, node, owner = self.defs[qn]
        env: dict[str, tuple] = {}
        for _ in range(2):  # a second pass sees names typed from names typed in the first
            for child in ast.walk(node):
                if isinstance(child, ast.arg) and child.annotation is not None:
                    found = self.annotation_type(child.annotation, module)
                    if found:
                        env[child.arg] = found
                elif isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name):
                    found = self.annotation_type(child.annotation, module)
                    if found:
                        env[child.target.id] = found
                elif isinstance(child, ast.Assign) and len(child.targets) == 1 and isinstance(child.targets[0], ast.Name):
                    found = self.resolve(child.value, module, env, owner)
                    if found and found[0] in ("instance", "boto"):
                        env[child.targets[0].id] = found
                elif isinstance(child, ast.Assign) and len(child.targets) == 1 and isinstance(child.targets[0], ast.Tuple):
                    for name, found in zip(child.targets[0].elts, self.unpacked(child.value, module, env, owner)):
                        if isinstance(name, ast.Name) and found:
                            env[name.id] = found
                elif isinstance(child, (ast.For, ast.comprehension)) and isinstance(child.target, ast.Name):
                    found = self.iterated(child.iter, module, env, owner)
                    if found:
                        env[child.target.id] = found
                elif isinstance(child, ast.withitem) and isinstance(child.optional_vars, ast.Name):
                    found = self.resolve(child.context_expr, module, env, owner)
                    if found and found[0] in ("instance", "boto", "batch"):
                        env[child.optional_vars.id] = found
        return env

    def unpacked(self, expr: ast.AST, module: str, env: dict[str, tuple], owner: str | None) -> list[tuple | None]:
        """The types of the elements of a call's `tuple[A, B]` answer (for `a, b = f()`)."""
        if not isinstance(expr, ast.Call):
            return []
        target = self.resolve(expr.func, module, env, owner)
        if not target or target[0] != "function":
            return []
        returns = self.defs[target[1]][1].returns  # type: ignore[attr-defined]
        if isinstance(returns, ast.Subscript) and isinstance(returns.slice, ast.Tuple):
            return [self.annotation_type(element, self.defs[target[1]][0]) for element in returns.slice.elts]
        return []

    def iterated(self, expr: ast.AST, module: str, env: dict[str, tuple], owner: str | None) -> tuple | None:
        """The type of the items of `expr` (a query, a batch get, a list of models)."""
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
            base = self.resolve(expr.func.value, module, env, owner)
            if base and base[0] in ("model", "index") and expr.func.attr in ("query", "scan", "batch_get"):
                return ("instance", f"{TABLES_MODULE}.{base[1]}")
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in ("list", "sorted", "reversed") and expr.args:
            return self.iterated(expr.args[0], module, env, owner)
        found = self.resolve(expr, module, env, owner) if isinstance(expr, (ast.Call, ast.Name, ast.Attribute)) else None
        return found if found and found[0] == "instance" else None

    # -- facts of one function ------------------------------------------------------------------

    def facts(self, qn: str) -> Facts:
        if qn not in self._facts:
            self._facts[qn] = self._read(qn)
        return self._facts[qn]

    def _model_of(self, found: tuple | None) -> str | None:
        if found and found[0] == "instance" and found[1].startswith(TABLES_MODULE + "."):
            name = found[1].rsplit(".", 1)[1]
            return name if name in self.models else None
        return None

    def _read(self, qn: str) -> Facts:
        module, node, owner = self.defs[qn]
        facts = Facts()
        kind = self.kinds[qn]
        if kind == "class":
            for name in ("__init__", "__post_init__", "__enter__", "__exit__", "__call__"):
                member = self._member(qn, name)
                if member and member[0] == "function":
                    facts.calls.add(member[1])
            return facts
        env = self.environment(qn) if kind == "function" else {}
        # A function's body and defaults; not its decorators, which run when the module is
        # imported (app.py's `@app.on_sqs_message(queue=...)` names a queue, it sends nothing).
        bodies = [node.value] if kind == "var" else [*node.body, *node.args.defaults, *node.args.kw_defaults]  # type: ignore[attr-defined]
        for child in (c for body in bodies if body is not None for c in ast.walk(body)):
            if isinstance(child, (ast.Name, ast.Attribute)) and isinstance(child.ctx, ast.Load):
                found = self.resolve(child, module, env, owner)
                if found and found[0] in ("function", "class", "var"):
                    facts.calls.add(found[1])
            if isinstance(child, ast.Call):
                self._call(child, module, env, owner, facts, generic=module in GENERIC_WRITERS)
        facts.uses |= LIBRARY_CALLS.get(qn, set())
        return facts

    def _call(self, call: ast.Call, module: str, env: dict, owner: str | None, facts: Facts, generic: bool) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        base = self.resolve(func.value, module, env, owner)
        name = func.attr
        site = f"{self.paths[module].relative_to(self.root)}:{call.lineno}"
        if base and base[0] == "model" and name in MODEL_CLASS_OPS:
            facts.uses.add(("table", base[1], MODEL_CLASS_OPS[name], None))
        elif base and base[0] == "index" and name in INDEX_OPS:
            facts.uses.add(("table", base[1], INDEX_OPS[name], base[2]))
        elif base and base[0] == "field" and name in UPDATE_ACTIONS:
            facts.uses.add(("table", base[1], "UpdateItem", None))
        elif base and base[0] == "batch" and name in ("save", "delete"):
            facts.uses.add(("table", base[1], "BatchWriteItem", None))
        elif base and base[0] == "boto":
            facts.uses.add(("aws", base[1], _camel(name)))
        elif self._model_of(base) and name in INSTANCE_OPS:
            facts.uses.add(("table", self._model_of(base), INSTANCE_OPS[name], None))
        elif name == "condition_check":
            models = [self.resolve(a, module, env, owner) for a in call.args]
            named = [m[1] for m in models if m and m[0] == "model"]
            if named:
                facts.uses.add(("table", named[0], "ConditionCheckItem", None))
            elif not generic:
                facts.unattributed.append(f"{site} condition_check")
        elif name == "get" and call.args and (first := self.resolve(call.args[0], module, env, owner)) and first[0] == "model":
            facts.uses.add(("table", first[1], "GetItem", None))  # a TransactGet's read of one item
        elif name in ("save", "update", "delete") and (base is None or base[0] == "instance"):
            models = [self._model_of(self.resolve(a, module, env, owner)) for a in call.args]
            named = [m for m in models if m]
            if named:  # a transaction's (or batch's) write of a model instance
                facts.uses.add(("table", named[0], INSTANCE_OPS[name], None))
            elif base is not None and not self._generic_writer(base, name):
                pass  # a method of one of our classes: followed through the call graph
            elif name == "update" and (
                any(k.arg == "actions" for k in call.keywords) or not (call.args and isinstance(call.args[0], ast.List))
            ):
                pass  # update actions name their model (UpdateItem on it); anything else is a dict's update
            elif not generic:
                facts.unattributed.append(f"{site} .{name}()")

    def _generic_writer(self, base: tuple, name: str) -> bool:
        """Whether `base.name` writes whatever item it is handed (a transaction's save, ...)."""
        member = self._member(base[1], name) if base[0] == "instance" else None
        return bool(member and member[0] == "function" and self.defs[member[1]][0] in GENERIC_WRITERS)

    # -- reach ------------------------------------------------------------------------------------

    def entry_points(self) -> dict[str, set[str]]:
        """Chalice function name -> the functions it starts from."""
        tree = self.modules["app"]
        entries: dict[str, set[str]] = {"api_handler": {"app"}}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.decorator_list:
                entries[node.name] = {f"app.{node.name}"}
        return entries

    @cached_property
    def _app_module_facts(self) -> Facts:
        """What app.py does at module level (routes, portal pages): the API handler's start,
        with every method of the objects it builds there (Chalice calls them)."""
        facts = Facts()
        env: dict[str, tuple] = {}
        for node in self.modules["app"].body:
            if isinstance(node, ast.FunctionDef):
                continue
            for child in ast.walk(node):
                if isinstance(child, (ast.Name, ast.Attribute)) and isinstance(child.ctx, ast.Load):
                    found = self.resolve(child, "app", env, None)
                    if found and found[0] in ("function", "class", "var"):
                        facts.calls.add(found[1])
                    if found and found[0] == "class":
                        facts.calls |= {qn for qn, (_, _, o) in self.defs.items() if o in self._bases(found[1]) and self.kinds[qn] == "function"}
        return facts

    def reach(self, starts: set[str]) -> Reach:
        seen: set[str] = set()
        todo = list(starts)
        uses: set[tuple] = set()
        unattributed: list[str] = []
        while todo:
            qn = todo.pop()
            if qn in seen:
                continue
            seen.add(qn)
            facts = self._app_module_facts if qn == "app" else self.facts(qn)
            uses |= facts.uses
            unattributed += facts.unattributed
            todo += [c for c in facts.calls if c not in seen and c in self.defs]
        return Reach(seen, uses, sorted(set(unattributed)))
