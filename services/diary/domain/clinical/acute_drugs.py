"""Acute headache drugs: the ICHD-3 8.2 class of a logged drug name (clinical-kb §3.2, §2.2).

The table is data (module constants), not code: generic ingredients, synonyms and brands.
A product name resolves to its ingredients, and the ingredients to one class:

* a triptan, ergot, gepant or ditan in the product decides the class (Treximet =
  sumatriptan + naproxen counts as a triptan: the lower, ≥10-day threshold is the safe side;
  Cafergot = ergotamine + caffeine is ergotamine overuse, 8.2.1, not a combination analgesic);
* an analgesic combined with an opioid, butalbital or caffeine is a combination analgesic
  (8.2.5; KB §3.2 step 1: combination products map to 8.2.5);
* two non-opioid analgesics only are NOT a combination (ICHD-3 8.2.5 note, KB §3.2): they
  stay simple analgesics, which count together as one class (8.2.3).

A name the table does not know (an antiemetic, a preventive, a typo) resolves to None: it is
shown to the clinician as an unclassified medication and never counted as an acute drug.
Atogepant is deliberately absent: it is a daily preventive (KB §2.2), and counting it would
turn every treated day into an "acute-medication day".
"""

import re
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType


class AcuteClass(StrEnum):
    TRIPTAN = "triptan"
    ERGOT = "ergot"
    OPIOID = "opioid"
    COMBINATION_ANALGESIC = "combination_analgesic"
    SIMPLE_ANALGESIC = "simple_analgesic"  # NSAIDs incl. aspirin, acetaminophen, metamizole
    # Gepants and ditans post-date ICHD-3 (2018): KB §3.2 maps them to 8.2.8 "other
    # medication" (≥10 days, configurable in overuse.py). Each is counted as its own class.
    GEPANT = "gepant"
    DITAN = "ditan"


# KB §3.3: migraine-specific acute drugs (a day on which one was taken is a migraine day).
MIGRAINE_SPECIFIC = frozenset(
    {AcuteClass.TRIPTAN, AcuteClass.ERGOT, AcuteClass.GEPANT, AcuteClass.DITAN}
)

_T, _E, _O, _S = (
    AcuteClass.TRIPTAN,
    AcuteClass.ERGOT,
    AcuteClass.OPIOID,
    AcuteClass.SIMPLE_ANALGESIC,
)
_G, _D = AcuteClass.GEPANT, AcuteClass.DITAN

INGREDIENTS: MappingProxyType[str, AcuteClass] = MappingProxyType(
    {
        **dict.fromkeys(
            ("sumatriptan", "rizatriptan", "zolmitriptan", "naratriptan", "eletriptan",
             "almotriptan", "frovatriptan"), _T,
        ),
        **dict.fromkeys(("ergotamine", "dihydroergotamine", "methysergide"), _E),
        **dict.fromkeys(
            ("codeine", "dihydrocodeine", "tramadol", "tapentadol", "oxycodone", "hydrocodone",
             "morphine", "hydromorphone", "meperidine", "methadone", "fentanyl", "butorphanol",
             "oxymorphone", "buprenorphine"), _O,
        ),
        **dict.fromkeys(
            ("ibuprofen", "naproxen", "diclofenac", "aspirin", "acetaminophen", "ketoprofen",
             "dexketoprofen", "ketorolac", "indomethacin", "celecoxib", "mefenamic acid",
             "tolfenamic acid", "meloxicam", "etoricoxib", "metamizole", "phenazone",
             "propyphenazone", "flurbiprofen"), _S,
        ),
        **dict.fromkeys(("ubrogepant", "rimegepant", "zavegepant"), _G),
        "lasmiditan": _D,
    }
)  # fmt: skip

# Ingredients that make an analgesic product a combination analgesic (ICHD-3 8.2.5).
COMBINING_ADJUVANTS = frozenset({"butalbital", "caffeine"})

SYNONYMS: MappingProxyType[str, str] = MappingProxyType(
    {
        "paracetamol": "acetaminophen",
        "apap": "acetaminophen",
        "acetylsalicylic acid": "aspirin",
        "asa": "aspirin",
        "dhe": "dihydroergotamine",
        "pethidine": "meperidine",
        "dipyrone": "metamizole",
        "indometacin": "indomethacin",
    }
)

# Brand -> ingredients (US and common EU/UK names).
BRANDS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "imitrex": ("sumatriptan",), "zembrace": ("sumatriptan",), "onzetra": ("sumatriptan",),
        "tosymra": ("sumatriptan",), "imigran": ("sumatriptan",),
        "treximet": ("sumatriptan", "naproxen"), "maxalt": ("rizatriptan",),
        "zomig": ("zolmitriptan",), "amerge": ("naratriptan",), "naramig": ("naratriptan",),
        "relpax": ("eletriptan",), "axert": ("almotriptan",), "almogran": ("almotriptan",),
        "frova": ("frovatriptan",), "migard": ("frovatriptan",),
        "cafergot": ("ergotamine", "caffeine"), "migergot": ("ergotamine", "caffeine"),
        "ergomar": ("ergotamine",), "d.h.e. 45": ("dihydroergotamine",),
        "migranal": ("dihydroergotamine",), "trudhesa": ("dihydroergotamine",),
        "advil": ("ibuprofen",), "motrin": ("ibuprofen",), "nurofen": ("ibuprofen",),
        "aleve": ("naproxen",), "naprosyn": ("naproxen",), "anaprox": ("naproxen",),
        "voltaren": ("diclofenac",), "cambia": ("diclofenac",), "cataflam": ("diclofenac",),
        "zipsor": ("diclofenac",), "elyxyb": ("celecoxib",), "celebrex": ("celecoxib",),
        "toradol": ("ketorolac",), "bayer": ("aspirin",), "aspro": ("aspirin",),
        "tylenol": ("acetaminophen",), "panadol": ("acetaminophen",),
        "excedrin": ("aspirin", "acetaminophen", "caffeine"),
        "excedrin migraine": ("aspirin", "acetaminophen", "caffeine"),
        "fioricet": ("butalbital", "acetaminophen", "caffeine"),
        "esgic": ("butalbital", "acetaminophen", "caffeine"),
        "fiorinal": ("butalbital", "aspirin", "caffeine"),
        "tylenol #3": ("acetaminophen", "codeine"),
        "tylenol with codeine": ("acetaminophen", "codeine"),
        "co-codamol": ("acetaminophen", "codeine"),
        "co-dydramol": ("acetaminophen", "dihydrocodeine"),
        "nurofen plus": ("ibuprofen", "codeine"), "migraleve": ("acetaminophen", "codeine"),
        "percocet": ("oxycodone", "acetaminophen"), "vicodin": ("hydrocodone", "acetaminophen"),
        "norco": ("hydrocodone", "acetaminophen"), "ultracet": ("tramadol", "acetaminophen"),
        "ultram": ("tramadol",), "tramal": ("tramadol",), "oxycontin": ("oxycodone",),
        "nucynta": ("tapentadol",), "stadol": ("butorphanol",),
        "ubrelvy": ("ubrogepant",), "nurtec": ("rimegepant",), "nurtec odt": ("rimegepant",),
        "vydura": ("rimegepant",), "zavzpret": ("zavegepant",), "reyvow": ("lasmiditan",),
    }
)  # fmt: skip

_DOSE = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|ug|g|ml|%|iu)\b")
_SEPARATORS = re.compile(r"\s*(?:/|\+|,|&|\band\b|\bwith\b|-)\s*")
# Salt and formulation words carry no class information ("sumatriptan succinate nasal spray").
_NOISE_WORDS = frozenset(
    {
        "succinate", "hydrochloride", "hcl", "sodium", "potassium", "tartrate", "mesylate",
        "mesilate", "hydrobromide", "bitartrate", "phosphate", "sulfate", "sulphate", "malate",
        "lysine", "tablet", "tablets", "tab", "tabs", "capsule", "capsules", "odt", "oral",
        "orally", "nasal", "spray", "injection", "autoinjector", "powder", "solution",
        "suppository", "er", "xr", "sr", "cr", "ir", "ds", "forte", "extra", "strength",
        "disintegrating", "liquid", "gel", "melt", "wafer", "soluble", "effervescent",
    }
)  # fmt: skip
_SPECIFIC_ORDER = (AcuteClass.ERGOT, AcuteClass.TRIPTAN, AcuteClass.GEPANT, AcuteClass.DITAN)
_ANALGESICS = frozenset({AcuteClass.SIMPLE_ANALGESIC, AcuteClass.OPIOID})


def _normalise(name: str) -> str:
    text = name.lower().replace("®", " ").replace("™", " ")
    text = _DOSE.sub(" ", text)
    return " ".join(text.split())


def _part_ingredients(part: str) -> list[str]:
    """Ingredients named by one separator-free part of a product name."""
    words = [w for w in part.split() if w not in _NOISE_WORDS]
    if not words:
        return []
    whole = " ".join(words)
    found = _lookup(whole)
    if found is not None:
        return found
    # "imitrex statdose", "advil migraine liqui-gels": fall back to the words one by one.
    return [ingredient for word in words for ingredient in (_lookup(word) or ())]


def _lookup(text: str) -> list[str] | None:
    text = SYNONYMS.get(text, text)
    if text in INGREDIENTS or text in COMBINING_ADJUVANTS:
        return [text]
    if text in BRANDS:
        return list(BRANDS[text])
    return None


def ingredients_of(name: str) -> frozenset[str]:
    """The known acute-drug ingredients (and caffeine/butalbital) a product name contains."""
    text = _normalise(name)
    whole = _lookup(text)  # brands with separators in them: "co-codamol", "tylenol #3"
    if whole is not None:
        return frozenset(whole)
    return frozenset(i for part in _SEPARATORS.split(text) for i in _part_ingredients(part))


def class_of_ingredients(ingredients: frozenset[str]) -> AcuteClass | None:
    """ICHD-3 8.2 class of a product from its ingredients (rules in the module docstring)."""
    classes = {INGREDIENTS[i] for i in ingredients if i in INGREDIENTS}
    for specific in _SPECIFIC_ORDER:
        if specific in classes:
            return specific
    if not classes or not classes <= _ANALGESICS:
        return None
    analgesic_count = sum(1 for i in ingredients if i in INGREDIENTS)
    opioid_combined = AcuteClass.OPIOID in classes and analgesic_count > 1
    if opioid_combined or ingredients & COMBINING_ADJUVANTS:
        return AcuteClass.COMBINATION_ANALGESIC
    if classes == {AcuteClass.OPIOID}:
        return AcuteClass.OPIOID
    return AcuteClass.SIMPLE_ANALGESIC


@lru_cache(maxsize=4096)  # the same few names recur in every patient's diary
def acute_class_of(name: str) -> AcuteClass | None:
    """The ICHD-3 8.2 class of a logged drug name, or None when it is not a known acute drug."""
    return class_of_ingredients(ingredients_of(name))
