"""values.quick: a frozen dataclass made quickly is the same value as the dataclass's own __init__ makes."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest

from bot.core.answer import Answer, Why
from bot.core.hits import Hit
from bot.core.values import quick


@dataclass(frozen=True)
class Plain:
    name: str
    score: float = 0.5
    tags: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


@quick
@dataclass(frozen=True)
class Quick:
    name: str
    score: float = 0.5
    tags: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


@pytest.mark.parametrize("args, kwargs", [(("a",), {}), (("a", 0.25), {}), (("a",), {"tags": ("x",)}),
                                          (("a", 1.0, ("y",), {"k": 1}), {}), ((), {"name": "b", "extra": {"z": 2}})])
def test_the_same_fields_defaults_and_factories_as_the_dataclass_init(args, kwargs):
    made, plain = Quick(*args, **kwargs), Plain(*args, **kwargs)
    assert dataclasses.asdict(made) == dataclasses.asdict(plain)
    assert repr(made) == repr(plain).replace("Plain", "Quick")


def test_the_init_is_replaced_and_every_default_factory_is_called_anew():
    assert Quick.__init__ is not Plain.__init__ and "setattr" not in Quick.__init__.__code__.co_names
    first, second = Quick("a"), Quick("a")
    first.extra["k"] = 1
    assert second.extra == {}


def test_still_frozen_equal_hashable_replaceable_and_picklable():
    made = Quick("a", 0.25, ("x",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.score = 1.0  # type: ignore[misc]
    assert made == Quick("a", 0.25, ("x",)) and made != Quick("a", 0.3, ("x",))
    assert hash(Quick("a", tags=("x",), extra=None)) == hash(Quick("a", tags=("x",), extra=None))  # type: ignore[arg-type]
    assert dataclasses.replace(made, score=0.75) == Quick("a", 0.75, ("x",))
    assert pickle.loads(pickle.dumps(made)) == made


def test_missing_and_unknown_arguments_are_refused_as_by_any_function():
    with pytest.raises(TypeError):
        Quick()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Quick("a", nonsense=1)  # type: ignore[call-arg]


def test_refuses_what_it_cannot_make_the_same():
    class NotData:
        pass

    @dataclass(frozen=True)
    class Later:
        value: int

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True)
    class Keywords:
        value: int = field(default=0, kw_only=True)

    for cls in (NotData, Later, Keywords):
        with pytest.raises(TypeError):
            quick(cls)


def test_the_answer_paths_values_keep_their_cached_explanation():
    answer = Answer(True, "text", "answer", 0.5, (Hit("p1", "", "text", 0.5),), why=Why(score=0.5))
    assert answer.why_lines == answer.why_lines and answer.why_lines[0].startswith("score 0.500")
    assert answer == Answer(True, "text", "answer", 0.5, (Hit("p1", "", "text", 0.5),), why=Why(score=0.5))
