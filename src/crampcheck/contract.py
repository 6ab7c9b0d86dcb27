"""The public contract's fixed names (``shared/spec/contract.md``): answer keys and their values,
dispositions and cause ids. These are interface names, not clinical facts; the guidance must
provide a question for every key and a cause for every cause id (checked at load).

>>> "age" in ANSWER_KEYS
True
"""

from __future__ import annotations

CONDITION_IDS: tuple[str, ...] = (
    "addisons_disease", "alcohol_misuse", "liver_disease", "diarrhoea", "flat_feet",
    "hypothyroidism", "kidney_failure", "type_2_diabetes", "cancer_treatment", "sarcoidosis",
    "venous_insufficiency", "peripheral_artery_disease", "parkinsons_disease",
    "motor_neurone_disease", "peripheral_neuropathy",
)  # fmt: skip

ANSWER_VALUES: dict[str, tuple[str, ...]] = {
    "cramp_location": ("calf", "foot", "thigh"),
    "which_leg": ("left", "right", "both"),
    "exposures": ("lead", "mercury", "dirt_in_wound"),
    "timing": ("night", "day", "during_exercise", "after_exercise"),
    "leg_symptoms": (
        "numbness", "tingling", "swelling", "redness", "warm_skin", "hard_sore_veins",
        "muscle_shrinking", "muscle_weakness", "cannot_bear_weight", "walking_difficulty",
        "pain_between_cramps",
    ),
    "general_symptoms": ("shortness_of_breath", "chest_pain", "dizziness", "coughing_blood"),
    "conditions": CONDITION_IDS,
}  # fmt: skip

ANSWER_TYPES: dict[str, str] = {
    "age": "integer",
    "pregnant": "boolean",
    "cramp_location": "multi_choice",
    "which_leg": "choice",
    "longest_cramp_minutes": "number",
    "eases_with_movement": "boolean",
    "exposures": "multi_choice",
    "cramps_per_week": "number",
    "weeks_since_first_cramp": "number",
    "timing": "multi_choice",
    "disturbs_sleep": "boolean",
    "affects_quality_of_life": "boolean",
    "leg_symptoms": "multi_choice",
    "general_symptoms": "multi_choice",
    "conditions": "multi_choice",
    "medicines": "text_list",
    "new_medicine_before_cramps": "boolean",
    "recent_strenuous_exercise": "boolean",
    "low_fluid_intake": "boolean",
    "alcohol_units_per_week": "number",
}

ANSWER_KEYS: tuple[str, ...] = tuple(ANSWER_TYPES)

DISPOSITIONS: tuple[str, ...] = ("emergency", "urgent", "gp", "pharmacist", "self_care")
"""Most urgent first."""

CAUSE_IDS: tuple[str, ...] = (
    "pregnancy", "exercise", "dehydration", "older_age", "medicine", "toxins", "infection",
    *CONDITION_IDS, "idiopathic",
)  # fmt: skip


def urgency(disposition: str) -> int:
    """Rank of a disposition: higher is more urgent.

    >>> urgency("emergency") > urgency("gp")
    True
    """
    return len(DISPOSITIONS) - DISPOSITIONS.index(disposition)
