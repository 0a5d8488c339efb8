"""Benchmark prompts in the challenge's formats, deterministic, with a target length in tokens.

MMLU (HELM multiple_choice_joint, 5-shot; challenge.md §2):
  "The following are multiple choice questions (with answers) about S.\n\nQuestion: q\nA. a\n...D. d\nAnswer: B\n\n...Question: q\nA. ...\nAnswer:"
GSM (HELM generation, challenge.md §1.5): "Q: q\nA: a\n\n" blocks, ending "Q: q\nA:".

Synthetic text comes from a fixed word list and a seeded random.Random, so every run sends the same
prompts; its length is fitted to a target token count with the server's own tokenizer (a callable).
Real MMLU CSVs ({subject}_dev.csv shots, {subject}_test.csv questions) are used when given.
Standard library only.
"""

from __future__ import annotations

import csv
import json
import os
import random
from typing import Callable, List, Optional, Sequence, Tuple

WORDS = (
    "the of and to in is that for it as was with be by on not he this are or his from at which but have an they "
    "you were her she there been one all we their has would when if so no will more can out other into some time "
    "only new could these two may first then do any like my now over such our man me even most made after also "
    "did many before must through back years where much your way well down should because each just those people "
    "how too little state good very make world still own see men work long get here between both life being under "
    "never day same another know while last might us great old year off come since against go came right used take "
    "three states himself few house use during without again place american around however home small found thought "
    "went say part once general high upon school every does got united left number course war until always away "
    "something fact though water less public put think almost hand enough far took head yet government system better "
    "set told nothing night end why called didn eyes find going look asked later knew point next city business give "
    "group toward young let room president side social present given several order national possible rather second "
    "face per among form important often things looked early white case john become large big need four within felt "
    "along children saw best church ever least power development light thing seemed family interest want members "
    "mind country area others done turned although open problem sense service certain kind began law different war "
    "energy cell theory market price atom force value policy court rate reaction molecule equation function species"
).split()

SUBJECTS = (
    "abstract_algebra anatomy astronomy business_ethics clinical_knowledge college_biology college_chemistry "
    "college_computer_science college_mathematics college_medicine college_physics computer_security econometrics "
    "electrical_engineering formal_logic global_facts high_school_biology high_school_chemistry high_school_physics "
    "international_law jurisprudence logical_fallacies machine_learning management marketing medical_genetics "
    "moral_disputes nutrition philosophy prehistory professional_law public_relations sociology virology world_religions"
).split()

NAMES = "Natalia Weng Betty Julie James Albert Ken Alexis Tina Randy Joy Mark Carla Rose Tom".split()
ITEMS = "apples clips books pencils stamps marbles cookies tickets shells cards eggs coins".split()

CountTokens = Callable[[str], int]


def _phrase(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(max(1, n)))


def mmlu_block(question: str, choices: Sequence[str], answer: Optional[str]) -> str:
    """One HELM multiple_choice_joint block; answer None gives the eval block ending 'Answer:'."""
    lines = [f"Question: {question}"] + [f"{chr(ord('A') + i)}. {c}" for i, c in enumerate(choices)]
    return "\n".join(lines) + ("\nAnswer: " + answer + "\n" if answer is not None else "\nAnswer:")


def mmlu_prompt(subject: str, shots: Sequence[Tuple[str, Sequence[str], str]], question: str, choices: Sequence[str]) -> str:
    """instance_prefix "\n" joins the instruction block, the k examples and the eval block."""
    instructions = f"The following are multiple choice questions (with answers) about {subject.replace('_', ' ')}.\n"
    blocks = [instructions] + [mmlu_block(q, c, a) for q, c, a in shots] + [mmlu_block(question, choices, None)]
    return "\n".join(blocks)


def synthetic_mmlu(seed: int, question_words: int) -> str:
    """A 5-shot MMLU-format prompt whose length grows with question_words."""
    rng = random.Random(seed)
    subject = rng.choice(SUBJECTS)

    def item() -> Tuple[str, List[str], str]:
        q = _phrase(rng, question_words) + "?"
        return q, [_phrase(rng, rng.randint(1, 6)) for _ in range(4)], rng.choice("ABCD")

    shots = [item() for _ in range(5)]
    q, c, _ = item()
    return mmlu_prompt(subject, shots, q, c)


def gsm_block(question: str, answer: Optional[str]) -> str:
    return f"Q: {question}\nA: {answer}\n" if answer is not None else f"Q: {question}\nA:"


def synthetic_gsm(seed: int, shots: int, filler_words: int) -> str:
    """A GSM-format k-shot prompt of word problems (blocks joined by instance_prefix "\n")."""
    rng = random.Random(seed)

    def problem() -> Tuple[str, str]:
        name, item = rng.choice(NAMES), rng.choice(ITEMS)
        a, b, c = rng.randint(2, 90), rng.randint(2, 90), rng.randint(2, 9)
        q = (f"{name} has {a} {item}. {name} buys {b} more {item} and then gives away {c} of them. "
             f"{_phrase(rng, filler_words).capitalize()}. How many {item} does {name} have now?")
        ans = (f"{name} starts with {a} {item}. After buying {b} more, {name} has {a} + {b} = {a + b}. "
               f"After giving away {c}, {name} has {a + b} - {c} = {a + b - c}. The answer is {a + b - c}.")
        return q, ans

    blocks = [gsm_block(*problem()) for _ in range(shots)]
    q, _ = problem()
    return "\n".join(blocks + [gsm_block(q, None)])


def fit_length(make: Callable[[int], str], count: CountTokens, target: int, lo: int = 1, hi: int = 400) -> str:
    """The prompt make(n) whose token count is closest to target (binary search on n; make is monotone in n)."""
    best: Optional[Tuple[int, str]] = None
    while lo <= hi:
        mid = (lo + hi) // 2
        text = make(mid)
        n = count(text)
        if best is None or abs(n - target) < best[0]:
            best = (abs(n - target), text)
        if n < target:
            lo = mid + 1
        elif n > target:
            hi = mid - 1
        else:
            break
    assert best is not None
    return best[1]


def mmlu_prompts(count: CountTokens, n: int, min_tokens: int = 500, max_tokens: int = 750, seed: int = 13) -> List[str]:
    """n synthetic 5-shot MMLU prompts, target lengths spread evenly over [min_tokens, max_tokens]."""
    out = []
    for i in range(n):
        target = min_tokens + (max_tokens - min_tokens) * i // max(1, n - 1)
        out.append(fit_length(lambda w, i=i: synthetic_mmlu(seed * 1000 + i, w), count, target, 1, 200))
    return out


def gsm_prompts(count: CountTokens, n: int, target_tokens: int = 300, shots: int = 3, seed: int = 17) -> List[str]:
    out = []
    for i in range(n):
        out.append(fit_length(lambda w, i=i: synthetic_gsm(seed * 1000 + i, shots, w), count, target_tokens, 0, 200))
    return out


def _read_csv(path: str) -> List[List[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.reader(f)]
    for i, r in enumerate(rows):
        if len(r) != 6:
            raise ValueError(f"{path}:{i + 1}: expected 6 columns (question, A, B, C, D, answer), got {len(r)}")
    return rows


def real_mmlu_prompts(mmlu_dir: str, n: int) -> List[str]:
    """n 5-shot prompts from MMLU CSVs: dir holds dev/{s}_dev.csv and test/{s}_test.csv (e.g. DATA/mmlu/data).

    The 5 dev rows of a subject are its shots in file order (HELM uses the same 5, in its sampler's
    order); eval questions cycle over the subjects, in sorted order, taking test rows in file order.
    """
    dev_dir, test_dir = os.path.join(mmlu_dir, "dev"), os.path.join(mmlu_dir, "test")
    if not os.path.isdir(dev_dir) or not os.path.isdir(test_dir):
        raise ValueError(f"--mmlu-dir {mmlu_dir}: expected dev/ and test/ folders with {{subject}}_dev.csv / {{subject}}_test.csv")
    subjects = sorted(f[: -len("_dev.csv")] for f in os.listdir(dev_dir) if f.endswith("_dev.csv"))
    subjects = [s for s in subjects if os.path.isfile(os.path.join(test_dir, f"{s}_test.csv"))]
    if not subjects:
        raise ValueError(f"--mmlu-dir {mmlu_dir}: no subject has both a _dev.csv and a _test.csv")
    cache = {}
    out = []
    for i in range(n):
        s = subjects[i % len(subjects)]
        if s not in cache:
            cache[s] = (_read_csv(os.path.join(dev_dir, f"{s}_dev.csv")), _read_csv(os.path.join(test_dir, f"{s}_test.csv")))
        dev, test = cache[s]
        row = test[(i // len(subjects)) % len(test)]
        shots = [(r[0], r[1:5], r[5]) for r in dev[:5]]
        out.append(mmlu_prompt(s, shots, row[0], row[1:5]))
    return out


def real_gsm_prompts(train_jsonl: str, test_jsonl: str, n: int, shots: int = 5) -> List[str]:
    """HELM's GSM prompt: the first `shots` train rows as examples (gold "#### x" -> "The answer is x.")."""
    def rows(path: str) -> List[dict]:
        with open(path, encoding="utf-8") as f:
            return [json.loads(l) for l in f if l.strip()]

    train, test = rows(train_jsonl), rows(test_jsonl)
    blocks = [gsm_block(r["question"], r["answer"].replace("####", "The answer is").replace("\n", " ") + ".") for r in train[:shots]]
    return ["\n".join(blocks + [gsm_block(test[i % len(test)]["question"], None)]) for i in range(n)]
