"""Frozen dataclasses made quickly: the answer path makes dozens of small values per question.

A frozen dataclass's own __init__ sets each field with object.__setattr__ (the frozen class refuses
plain assignment): a call per field, 0.8 us for a four-field Hit and 1.7 for the nine-field Why on a
quiet machine (0.55 and 1.0 made quickly). `quick` gives the class an __init__ with the same signature, defaults and default
factories that fills the instance's dictionary in one step instead. Everything else (equality,
hashing, repr, fields, replace, frozenness) is the dataclass's own, untouched.
"""

from __future__ import annotations

from dataclasses import MISSING, fields, is_dataclass
from typing import TypeVar

T = TypeVar("T")


def quick(cls: type[T]) -> type[T]:
    """The frozen dataclass `cls` with an __init__ that sets its fields' values in one step (see the module)."""
    if not is_dataclass(cls) or "__slots__" in cls.__dict__ or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: quick takes a frozen dataclass without slots or __post_init__")
    names = {"_set": object.__setattr__, "_unset": MISSING}
    parameters, made, values = [], [], []
    for f in fields(cls):
        if not f.init or f.kw_only:
            raise TypeError(f"{cls.__name__}.{f.name}: quick takes positional init fields only")
        if f.default is not MISSING:
            names[f"_default_{f.name}"] = f.default
            parameters.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not MISSING:
            names[f"_factory_{f.name}"] = f.default_factory
            parameters.append(f"{f.name}=_unset")
            made.append(f"    if {f.name} is _unset: {f.name} = _factory_{f.name}()\n")
        else:
            parameters.append(f.name)
        values.append(f"{f.name!r}: {f.name}")
    source = (f"def __init__(self, {', '.join(parameters)}):\n" + "".join(made)
              + f"    _set(self, '__dict__', {{{', '.join(values)}}})\n")
    exec(source, names)  # noqa: S102 - source made from the class's own field names, as dataclasses does
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init
    return cls
