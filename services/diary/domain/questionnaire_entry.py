"""A completed questionnaire as the patient's app posts it; scored on arrival."""

from typing import Self

from pydantic import AwareDatetime, Field, model_validator

from services.diary.domain.clinical.facts import QuestionnaireError
from services.diary.domain.clinical.questionnaires import parse_answers, score
from services.diary.domain.entries import EntryBody
from shared.events.diary import Instrument


class QuestionnaireEntry(EntryBody):
    instrument: Instrument
    completed_at: AwareDatetime
    answers: list[int | str] = Field(
        min_length=1,
        max_length=20,
        description="Item answers in item order: PHQ-9 9 (+ item 10), GAD-7 7, MIDAS 5 (+ A, B) "
        "as 0-3 / day counts; HIT-6 6 as never|rarely|sometimes|very often|always",
    )

    @model_validator(mode="after")
    def _answers_fit_the_instrument(self) -> Self:
        try:
            parse_answers(self.instrument, self.answers)
        except QuestionnaireError as exc:
            raise ValueError(f"answers: {exc}") from None
        return self


def scored(values: dict[str, object]) -> dict[str, object]:
    """The stored/published fields derived from the answers (total, band, flags)."""
    instrument = Instrument(str(values["instrument"]))
    answers = values["answers"]
    assert isinstance(answers, list)
    result = score(parse_answers(instrument, answers))
    return {
        **values,
        "total": result.total,
        "band": result.band.code,
        "flags": sorted(result.flags),
    }
