"""The diary's clinical core: pure functions over frozen facts, no I/O (clinical-kb §3).

facts        what the core is given (attacks, intakes, check-ins, questionnaire answers)
acute_drugs  drug name -> ICHD-3 8.2 acute-medication class
questionnaires  PHQ-9, GAD-7, MIDAS, HIT-6 scoring and bands
days         local calendar-day classification (headache, migraine, medication days)
overuse      medication-overuse screening (ICHD-3 8.2, KB §3.2 counting)
measures     window endpoints, questionnaire trends, since-last-visit
preventive_effect  baseline vs weeks 9-12 of a preventive (shared.clinical.preventive_drugs says
             which drugs are preventives), and whether it is attributable
trends       per-ISO-week series for charts (diary days and check-ins)
stress       stress -> next-day headache association
summary      all of the above for one clinician summary
alerts       which alerts to raise now, with episode state
"""
