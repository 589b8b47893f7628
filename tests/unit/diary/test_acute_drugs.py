"""Drug name -> ICHD-3 8.2 class (clinical-kb §3.2 step 1, §2.2)."""

import pytest

from services.diary.domain.clinical.acute_drugs import AcuteClass, acute_class_of

T, E, OP, C, S, G, D = (
    AcuteClass.TRIPTAN,
    AcuteClass.ERGOT,
    AcuteClass.OPIOID,
    AcuteClass.COMBINATION_ANALGESIC,
    AcuteClass.SIMPLE_ANALGESIC,
    AcuteClass.GEPANT,
    AcuteClass.DITAN,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # triptans, generic and brand, with salts, doses and forms
        ("sumatriptan", T), ("Sumatriptan succinate 50 mg", T), ("Imitrex", T),
        ("sumatriptan nasal spray 20mg", T), ("rizatriptan ODT", T), ("Maxalt", T),
        ("zolmitriptan", T), ("naratriptan", T), ("eletriptan hydrobromide", T), ("Relpax", T),
        ("almotriptan", T), ("frovatriptan", T),
        # sumatriptan + naproxen: the triptan decides (lower threshold)
        ("Treximet", T), ("sumatriptan/naproxen sodium", T),
        # ergots: with caffeine still ergotamine overuse, not a combination analgesic
        ("ergotamine", E), ("dihydroergotamine", E), ("DHE", E), ("Migranal", E),
        ("ergotamine/caffeine", E), ("Cafergot", E),
        # simple analgesics: NSAIDs incl. aspirin, acetaminophen; two of them are not a combo
        ("ibuprofen 400 mg", S), ("Advil", S), ("naproxen", S), ("Aleve", S), ("diclofenac", S),
        ("aspirin", S), ("acetylsalicylic acid", S), ("acetaminophen", S), ("paracetamol", S),
        ("Tylenol", S), ("aspirin/acetaminophen", S),
        # combination analgesics (8.2.5): with butalbital, caffeine or an opioid
        ("butalbital/acetaminophen/caffeine", C), ("Fioricet", C), ("Fiorinal", C),
        ("butalbital-acetaminophen-caffeine 50-325-40 mg", C), ("Excedrin Migraine", C),
        ("acetaminophen and codeine", C), ("Tylenol with Codeine #3", C), ("co-codamol", C),
        ("Percocet", C), ("oxycodone/acetaminophen", C), ("Ultracet", C),
        # opioids alone
        ("codeine", OP), ("tramadol", OP), ("oxycodone", OP), ("hydromorphone", OP),
        ("butorphanol nasal spray", OP),
        # gepants and the ditan (8.2.8)
        ("ubrogepant", G), ("Ubrelvy", G), ("rimegepant", G), ("Nurtec ODT", G),
        ("zavegepant", G), ("lasmiditan", D), ("Reyvow", D),
    ],
)  # fmt: skip
def test_acute_class_of(name: str, expected: AcuteClass) -> None:
    assert acute_class_of(name) is expected


@pytest.mark.parametrize(
    "name", ["atogepant", "Qulipta", "metoclopramide", "propranolol", "caffeine", "", "asdf"]
)
def test_not_an_acute_headache_drug(name: str) -> None:
    # Atogepant is a daily preventive; counting it would make every day a medication day.
    assert acute_class_of(name) is None
