"""Migraine preventives, as data, each with where clinical-kb.md names it one (the diary
judges their effect; scheduling proposes a follow-up when one is started or changed).

The KB has no single table of preventives; it names them across its rows, and this list
gathers them (one entry per ingredient, with the KB rows that say so):

* antidepressants a neurologist prescribes for migraine: amitriptyline, nortriptyline,
  venlafaxine, duloxetine (§1.I DUP-01; scenario T11 "amitriptyline ... (NEU, migraine)").
  Duloxetine is in DUP-01's list too, so it is here although it is not a classic preventive;
* β-blockers: propranolol (§4 T07a/T08 "propranolol 80 mg/day (NEU)"), metoprolol, timolol
  (§2.2 β-blocker rows, §1.D PK-39/PK-40);
* antiepileptics: topiramate (§1.H CON-03 "migraine prevention", T17), valproate/divalproex
  (§1.H CON-01 "migraine prevention ... switch preventive", T16a);
* candesartan (§2.2 ARB row, S52); flunarizine (§1.H CON-05 "choose another preventive");
* CGRP monoclonal antibodies erenumab, fremanezumab, galcanezumab, eptinezumab (§2.2, §1.I
  DUP-05, T12 "erenumab 140 mg monthly (NEU)"); atogepant (§2.2 "gepant (preventive)",
  DUP-06); onabotulinumtoxinA (§2.2 neurotoxin row, S55);
* rimegepant only when scheduled every other day (§1.I DUP-05 "preventive rimegepant",
  DUP-07 "rimegepant every other day for prevention"): taken as needed it is an acute drug.

Not included: lisinopril, verapamil, magnesium and riboflavin appear in §2.2 without the KB
calling them migraine preventives. Names are generic ingredients (the contract, DESIGN.md);
a few brand names resolve to them.
"""

import re
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class PreventiveDrug:
    ingredient: str
    drug_class: str
    source: str  # the clinical-kb.md rows naming it a migraine preventive
    every_other_day_only: bool = False


def _drugs(drug_class: str, source: str, *names: str) -> dict[str, PreventiveDrug]:
    return {name: PreventiveDrug(name, drug_class, source) for name in names}


PREVENTIVES: MappingProxyType[str, PreventiveDrug] = MappingProxyType(
    {
        **_drugs("tricyclic antidepressant", "clinical-kb §1.I DUP-01, §4 T11",
                 "amitriptyline", "nortriptyline"),
        **_drugs("SNRI", "clinical-kb §1.I DUP-01", "venlafaxine", "duloxetine"),
        **_drugs("beta-blocker", "clinical-kb §2.2, §4 T07a/T08", "propranolol"),
        **_drugs("beta-blocker", "clinical-kb §2.2, §1.D PK-39/PK-40", "metoprolol", "timolol"),
        **_drugs("antiepileptic", "clinical-kb §1.H CON-03/CON-04, §4 T17", "topiramate"),
        **_drugs("antiepileptic", "clinical-kb §1.H CON-01, §4 T16a", "valproate",
                 "divalproex"),
        **_drugs("angiotensin receptor blocker", "clinical-kb §2.2 (S52)", "candesartan"),
        **_drugs("calcium-channel blocker", "clinical-kb §1.H CON-05 (S51)", "flunarizine"),
        **_drugs("CGRP monoclonal antibody", "clinical-kb §2.2, §1.I DUP-05, §4 T12",
                 "erenumab", "fremanezumab", "galcanezumab", "eptinezumab"),
        **_drugs("gepant (preventive)", "clinical-kb §2.2, §1.I DUP-06", "atogepant"),
        **_drugs("neurotoxin", "clinical-kb §2.2 (S55)", "onabotulinumtoxina"),
        "rimegepant": PreventiveDrug(
            "rimegepant", "gepant (preventive when every other day)",
            "clinical-kb §1.I DUP-05/DUP-07 (S17)", every_other_day_only=True,
        ),
    }
)  # fmt: skip

SYNONYMS: MappingProxyType[str, str] = MappingProxyType(
    {
        "valproic acid": "valproate",
        "sodium valproate": "valproate",
        "valproate sodium": "valproate",
        "valproate semisodium": "divalproex",
        "divalproex sodium": "divalproex",
        "botulinum toxin type a": "onabotulinumtoxina",
        # Brands (DESIGN.md: brand names should resolve to the generic name).
        "elavil": "amitriptyline",
        "pamelor": "nortriptyline",
        "effexor": "venlafaxine",
        "cymbalta": "duloxetine",
        "inderal": "propranolol",
        "topamax": "topiramate",
        "depakote": "divalproex",
        "atacand": "candesartan",
        "sibelium": "flunarizine",
        "aimovig": "erenumab",
        "ajovy": "fremanezumab",
        "emgality": "galcanezumab",
        "vyepti": "eptinezumab",
        "qulipta": "atogepant",
        "aquipta": "atogepant",
        "botox": "onabotulinumtoxina",
        "nurtec": "rimegepant",
        "vydura": "rimegepant",
    }
)

# "every other day", "every 2 days", "every 48 hours", "alternate days", "q48h", "QOD", "EOD".
_EVERY_OTHER_DAY = re.compile(
    r"\b(every\s+(other|second|2|two)\s+days?|alternate\s+days?|on\s+alternate\s+days"
    r"|every\s+48\s*h(ours?|rs?)?|q\s*48\s*h|q\.?o\.?d\.?|e\.?o\.?d\.?)(?!\w)",
    re.IGNORECASE,
)
_SUFFIXES = re.compile(r"\s+(hydrochloride|hcl|er|xr|xl|sr|la|extended[- ]release)$")


def normalise(name: str) -> str:
    """Lower case, single spaces, common salt and release suffixes dropped."""
    text = " ".join(name.lower().split())
    previous = None
    while previous != text:
        previous, text = text, _SUFFIXES.sub("", text)
    return SYNONYMS.get(text, text)


def every_other_day(frequency: str | None) -> bool:
    return frequency is not None and _EVERY_OTHER_DAY.search(frequency) is not None


def preventive_of(name: str | None, frequency: str | None) -> PreventiveDrug | None:
    """The preventive a prescription is, or None (rimegepant only every other day)."""
    if name is None:
        return None
    drug = PREVENTIVES.get(normalise(name))
    if drug is None or (drug.every_other_day_only and not every_other_day(frequency)):
        return None
    return drug
