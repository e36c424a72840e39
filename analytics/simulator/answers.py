"""What the simulated users answer when the bot elicits a slot: valid values in the shapes Lex
logs (Scalar, List, Composite), invalid ones that make the bot retry, DTMF on voice channels,
and slot obfuscation (https://docs.aws.amazon.com/lexv2/latest/dg/monitoring-obfuscate.html).
"""
from __future__ import annotations

from lexlens.analytics.simulator.traffic import Session
from lexlens.analytics.simulator.vocabulary import ACCOUNTS, DTMF_ACCOUNTS, MONTHS


def scalar_value(original: str, interpreted: str) -> tuple:
    return ("Scalar", original, interpreted, [interpreted])


def _invalid(s: Session, pool: str) -> tuple:
    return s.words[pool].pick(s.rng), None, ""


def _answers_invalid(s: Session, retries: int) -> bool:
    """A user who got a slot wrong once is likely to get it wrong again."""
    return s.rng.random() < (.10, .35, .45)[min(retries, 2)]


def answer_bank_slot(s: Session, slot: str, retries: int):
    rng, words = s.rng, s.words
    dtmf = s.voice and rng.random() < .3
    if slot == "transferAmount":
        if _answers_invalid(s, retries):
            return _invalid(s, "amount_invalid")
        amount = rng.choice((20, 25, 50, 75, 100, 150, 200, 250, 300, 500, 1000, 1500))
        text = str(amount) if dtmf else rng.choice((f"${amount}", f"{amount} dollars",
                                                    str(amount)))
        return text, scalar_value(text, str(amount)), "DTMF" if dtmf else ""
    if slot == "dateOfBirth":
        return _date_of_birth(s, dtmf, retries)
    if _answers_invalid(s, retries):
        return _invalid(s, "account_invalid")
    if dtmf:
        key = rng.choice("123")
        return key, scalar_value(key, DTMF_ACCOUNTS[key]), "DTMF"
    account = words["accounts"].pick(rng)
    return account, scalar_value(account, ACCOUNTS[account]), ""


def _date_of_birth(s: Session, dtmf: bool, retries: int):
    rng = s.rng
    obfuscated = "dateOfBirth" in s.deployment.obfuscated_slots
    if _answers_invalid(s, retries):
        text, spec, mode = _invalid(s, "dob_invalid")
        # Lex obfuscates the whole utterance when it cannot find the slot value in it.
        return ("{dateOfBirth}" if obfuscated else text), spec, mode
    year, month, day = rng.randint(1945, 2005), rng.randint(1, 12), rng.randint(1, 28)
    iso = f"{year}-{month:02d}-{day:02d}"
    if dtmf:
        text = f"{month:02d}{day:02d}{year}"
    elif s.deployment.lang == "gb":
        text = rng.choice((f"{day} {MONTHS[month - 1]} {year}", f"{day:02d}/{month:02d}/{year}"))
    else:
        text = rng.choice((f"{MONTHS[month - 1]} {day} {year}", f"{month}/{day}/{year}", iso))
    if obfuscated:  # https://docs.aws.amazon.com/lexv2/latest/dg/monitoring-obfuscate.html
        return "{dateOfBirth}", ("Scalar", "{dateOfBirth}", "{dateOfBirth}", []), \
            "DTMF" if dtmf else ""
    return text, scalar_value(text, iso), "DTMF" if dtmf else ""


def answer_pizza_slot(s: Session, slot: str, retries: int):
    rng, words = s.rng, s.words
    if slot == "size":
        if _answers_invalid(s, retries):
            return _invalid(s, "size_invalid")
        size = words["sizes"].pick(rng)
        return size, scalar_value(size, words["size_values"][size]), ""
    if slot == "crust":
        crust = words["crusts"].pick(rng)
        return crust, scalar_value(crust, words["crust_values"][crust]), ""
    if slot == "toppings":
        return _toppings(s)
    if slot == "deliveryAddress":
        return _address(s)
    if _answers_invalid(s, retries):
        return _invalid(s, "order_invalid")
    number = str(rng.randrange(100000, 1000000))
    return number, scalar_value(number, number), "DTMF" if s.voice and rng.random() < .5 else ""


def _toppings(s: Session):
    """A List slot: the combined value plus one values[] item per topping."""
    rng, words = s.rng, s.words
    chosen = []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        topping = words["toppings"].pick(rng)
        if topping not in chosen:
            chosen.append(topping)
    text = chosen[0] if len(chosen) == 1 else \
        ", ".join(chosen[:-1]) + f" {words['and']} {chosen[-1]}"
    return text, ("List", text, ", ".join(chosen), [(t, t) for t in chosen]), ""


def _address(s: Session):
    """A Composite slot: the whole address plus street, city and zipCode sub-slots."""
    rng, words = s.rng, s.words
    street = f"{rng.randrange(1, 9999)} {words['streets'].pick(rng)}"
    city, zip_code = words["cities"].pick(rng), f"{rng.randrange(10000, 99999)}"
    text = f"{street}, {city} {zip_code}"
    return text, ("Composite", text, text,
                  {"street": (street, street), "city": (city, city),
                   "zipCode": (zip_code, zip_code)}), ""
