"""What the sample users say and what the sample bots answer, per bot kind and language.

Pools are ordered most-frequent first: ``Pool`` picks with a Zipf-like skew, so top-N tables of
the generated logs have a clear head and a long tail, as real traffic does. The BankerBot texts
follow the AWS reference's bot tester (aws-samples/aws-lex-v2-bot-analytics, bot_conversations.py).
"""
from __future__ import annotations

from bisect import bisect
from itertools import accumulate
from random import Random


class Pool:
    """Items picked with probability proportional to 1 / rank**skew, or to explicit weights."""

    def __init__(self, items, skew: float = 1.0, weights=None):
        self.items = tuple(items)
        weights = weights or [1 / (rank + 1) ** skew for rank in range(len(self.items))]
        self._cumulative = list(accumulate(weights))

    @classmethod
    def weighted(cls, weights: dict) -> "Pool":
        """A pool of the keys of ``{item: weight}``."""
        return cls(weights, weights=list(weights.values()))

    def pick(self, rng: Random):
        return self.items[bisect(self._cumulative, rng.random() * self._cumulative[-1])]


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

ACCOUNTS = {"checking": "Checking", "chequing": "Checking", "current account": "Checking",
            "savings": "Savings", "credit card": "Credit", "visa": "Credit",
            "mastercard": "Credit", "amex": "Credit", "credit": "Credit"}
DTMF_ACCOUNTS = {"1": "Checking", "2": "Savings", "3": "Credit"}

BANK_EN = {
    "welcome": Pool(["hi", "hello", "help", "I need help", "can you please help", "hey",
                     "good morning", "Hi there!"]),
    "check": Pool(["check balance", "what's the balance in my account", "I want to know my balance",
                   "balance", "how much money do I have", "check my balance",
                   "account balance please", "whats my balance"]),
    "check_account": Pool(["what's the balance in my {} account", "how much is in my {} account",
                           "{} balance", "check my {} balance"]),
    "followup": Pool(["what about my {} account", "and my {} account?", "how about {}",
                      "can you also check {}"]),
    "transfer": Pool(["transfer funds", "I want to transfer money", "move money between accounts",
                      "transfer", "make a transfer", "I need to move some money"]),
    "agent": Pool(["talk to an agent", "agent", "speak to a human", "representative",
                   "I want to talk to a real person", "customer service"]),
    "fallback": Pool(["what is this", "exit", "i am lost", "can I get a mortgage",
                      "what are your opening hours", "I lost my card", "reset my password",
                      "why was I charged a fee", "where is the nearest atm", "dispute a charge",
                      "open a new account", "what's the routing number", "apply for a loan",
                      "increase my credit limit", "is the branch open on sunday", "zelle",
                      "how do I change my address", "asdf", "ok", "stop", "thx",
                      "+1 (555) 010-2030", "@support", "my card got declined at the store",
                      "what's the interest rate on savings", "order new checks"], skew=1.1),
    "accounts": Pool(["checking", "savings", "credit card", "visa", "mastercard", "amex"]),
    "account_invalid": Pool(["my main one", "the usual", "not sure", "investment",
                             "the joint one", "crypto", "all of them"]),
    "dob_invalid": Pool(["I don't remember", "why do you need that", "next week", "skip",
                         "no"]),
    "amount_invalid": Pool(["all of it", "a lot", "half", "whatever is left"]),
    "yes": Pool(["yes", "yes please", "yep", "correct", "sure", "go ahead", "that's right"]),
    "no": Pool(["no", "cancel", "no wait", "nope", "stop"]),
    "replies": {
        "welcome": "Hi! I'm BB, the Banking Bot. How can I help you today?",
        "ask:accountType": "For which account would you like your balance?",
        "retry:accountType": "Sorry, I didn't get that. Which account: checking, savings or credit?",
        "ask:dateOfBirth": "For verification purposes, what is your date of birth?",
        "retry:dateOfBirth": "I need your date of birth to verify your identity. What is it?",
        "ask:sourceAccount": "Which account would you like to transfer from?",
        "retry:sourceAccount": "Sorry, which account should the money come from?",
        "ask:targetAccount": "Which account are you transferring to?",
        "retry:targetAccount": "Sorry, which account should the money go to?",
        "ask:transferAmount": "How much money would you like to transfer?",
        "retry:transferAmount": "Please tell me an amount in dollars, for example 100.",
        "balance": "Thank you. The balance on your {} account is ${} dollars.",
        "confirm": "Got it. So we are transferring ${} from {} to {}. "
                   "Can I go ahead with the transfer?",
        "transferred": "The transfer is complete. ${} should now be available in your {} account.",
        "cancelled": "The transfer has been cancelled.",
        "failed": "Sorry, I wasn't able to complete that. Please try again later or call "
                  "1-800-555-0100.",
        "fallback": "Sorry, I didn't understand. I can check balances and transfer funds. "
                    "What would you like to do?",
        "agent": "Okay, I'm connecting you to an agent. Please hold.",
        "escalate": "I'm having trouble understanding. Let me connect you with an agent.",
    },
}

BANK_GB = {**BANK_EN,
           "welcome": Pool(["hello", "hi", "help", "hiya", "good morning", "I need some help"]),
           "check": Pool(["check balance", "what's my balance", "how much is in my account",
                          "balance please", "I'd like to know my balance"]),
           "accounts": Pool(["current account", "savings", "credit card", "visa", "mastercard"]),
           "fallback": Pool(["what is this", "i am lost", "what's my sort code", "exit",
                             "can I get a mortgage", "I've lost my card", "cheers",
                             "change my address", "apply for an overdraft", "ISA rates",
                             "direct debit cancelled", "rubbish"], skew=1.1)}

PIZZA_EN = {
    "welcome": Pool(["hi", "hello", "hey there", "menu", "good evening"]),
    "order": Pool(["I want to order a pizza", "order pizza", "can I get a pizza",
                   "pizza delivery", "I'd like to order", "I'm hungry"]),
    "order_size": Pool(["I'd like a {} pizza", "can I get a {} pizza", "order a {} pizza"]),
    "status": Pool(["where is my order", "order status", "track my pizza",
                    "how long until my pizza arrives", "is my order on the way"]),
    "agent": Pool(["talk to an agent", "agent", "speak to someone", "call the store"]),
    "fallback": Pool(["do you have gluten free", "what are your hours", "is there a coupon",
                      "how much is delivery", "can I get wings", "vegan cheese?",
                      "cancel my order", "where is my driver", "do you deliver to my area",
                      "I want a refund", "garlic knots", "lol"], skew=1.1),
    "sizes": Pool(["large", "medium", "small", "extra large"]),
    "size_values": {"small": "Small", "medium": "Medium", "large": "Large",
                    "extra large": "ExtraLarge"},
    "size_invalid": Pool(["huge", "family size", "the normal one", "whatever"]),
    "crusts": Pool(["thin", "regular", "thin crust", "stuffed crust", "deep dish"]),
    "crust_values": {"thin": "Thin", "thin crust": "Thin", "regular": "Regular",
                     "stuffed crust": "Stuffed", "deep dish": "DeepDish"},
    "toppings": Pool(["pepperoni", "mushrooms", "extra cheese", "sausage", "onions",
                      "green peppers", "bacon", "olives", "pineapple", "jalapenos"]),
    "and": "and",
    "streets": Pool(["Main Street", "Oak Avenue", "Maple Drive", "Elm Street", "Park Road",
                     "Cedar Lane", "Washington Boulevard"]),
    "cities": Pool(["Springfield", "Riverside", "Franklin", "Greenville", "Fairview"]),
    "order_invalid": Pool(["I don't know", "it's under my name", "the last one"]),
    "yes": Pool(["yes", "yes please", "sounds good", "yep", "sure"]),
    "no": Pool(["no", "cancel", "wait no", "nope"]),
    "replies": {
        "welcome": "Welcome to Pizza Palace! Would you like to order a pizza or check on an order?",
        "ask:size": "What size pizza would you like?",
        "retry:size": "We have small, medium, large and extra large. Which size?",
        "ask:crust": "What kind of crust?",
        "retry:crust": "Sorry, which crust: thin, regular, stuffed or deep dish?",
        "ask:toppings": "What toppings would you like?",
        "retry:toppings": "Which toppings would you like?",
        "ask:deliveryAddress": "What's the delivery address?",
        "retry:deliveryAddress": "Please give me a street address, city and zip code.",
        "ask:orderNumber": "What's your order number?",
        "retry:orderNumber": "Your order number has six digits. What is it?",
        "confirm": "So that's a {} {} crust pizza with {}, delivered to {}. "
                   "Shall I place the order?",
        "ordered": "Your order is placed! It will arrive in about 35 minutes.",
        "cancelled": "No problem, I've cancelled that order.",
        "status": "Order {} is out for delivery and should arrive in about 15 minutes.",
        "failed": "Sorry, I couldn't help with that. Please call your store.",
        "fallback": "Sorry, I can help you order a pizza or check an order. "
                    "What would you like to do?",
        "agent": "Connecting you to the store now.",
        "escalate": "Let me connect you with someone at the store.",
    },
}

PIZZA_ES = {
    **PIZZA_EN,
    "welcome": Pool(["hola", "buenas", "buenas tardes", "menú"]),
    "order": Pool(["quiero pedir una pizza", "pedir pizza", "quiero una pizza",
                   "me gustaría ordenar"]),
    "order_size": Pool(["quiero una pizza {}", "una pizza {} por favor"]),
    "status": Pool(["dónde está mi pedido", "estado de mi pedido", "cuánto falta para mi pizza"]),
    "agent": Pool(["hablar con un agente", "agente", "quiero hablar con una persona"]),
    "fallback": Pool(["tienen pizza sin gluten", "cuál es el horario", "hay cupones",
                      "quiero alitas", "cuánto cuesta el envío", "aceptan tarjeta", "qué",
                      "no entiendo"], skew=1.1),
    "sizes": Pool(["grande", "mediana", "pequeña", "familiar"]),
    "size_values": {"pequeña": "Small", "mediana": "Medium", "grande": "Large",
                    "familiar": "ExtraLarge"},
    "size_invalid": Pool(["enorme", "la normal", "no sé"]),
    "crusts": Pool(["delgada", "normal", "rellena"]),
    "crust_values": {"delgada": "Thin", "normal": "Regular", "rellena": "Stuffed"},
    "toppings": Pool(["pepperoni", "champiñones", "queso extra", "salchicha", "cebolla",
                      "pimiento", "piña", "aceitunas"]),
    "and": "y",
    "streets": Pool(["Calle Ocho", "Main Street", "Avenida Central", "Calle del Sol"]),
    "order_invalid": Pool(["no sé", "está a mi nombre"]),
    "yes": Pool(["sí", "sí por favor", "claro", "correcto"]),
    "no": Pool(["no", "cancelar", "mejor no"]),
    "replies": {
        **PIZZA_EN["replies"],
        "welcome": "¡Bienvenido a Pizza Palace! ¿Quiere pedir una pizza o consultar un pedido?",
        "ask:size": "¿De qué tamaño quiere la pizza?",
        "retry:size": "Tenemos pequeña, mediana, grande y familiar. ¿Cuál prefiere?",
        "ask:crust": "¿Qué tipo de masa?",
        "retry:crust": "Perdón, ¿masa delgada, normal o rellena?",
        "ask:toppings": "¿Qué ingredientes quiere?",
        "retry:toppings": "Perdón, ¿qué ingredientes quiere?",
        "ask:deliveryAddress": "¿Cuál es la dirección de entrega?",
        "retry:deliveryAddress": "Necesito la calle, la ciudad y el código postal.",
        "ask:orderNumber": "¿Cuál es su número de pedido?",
        "retry:orderNumber": "Su número de pedido tiene seis dígitos. ¿Cuál es?",
        "failed": "Perdón, no pude ayudarle con eso. Por favor llame a su tienda.",
        "confirm": "Entonces, una pizza {} de masa {} con {}, entregada en {}. "
                   "¿Hago el pedido?",
        "ordered": "¡Pedido realizado! Llegará en unos 35 minutos.",
        "cancelled": "De acuerdo, cancelé el pedido.",
        "status": "El pedido {} va en camino y llegará en unos 15 minutos.",
        "fallback": "Perdón, puedo ayudarle a pedir una pizza o consultar un pedido. "
                    "¿Qué desea hacer?",
        "agent": "Le comunico con la tienda.",
        "escalate": "Permítame comunicarle con alguien de la tienda.",
    },
}

VOCABULARY = {("bank", "en"): BANK_EN, ("bank", "gb"): BANK_GB,
              ("pizza", "en"): PIZZA_EN, ("pizza", "es"): PIZZA_ES}

NEGATIVE_WORDS = frozenset("not no lost wrong fee dispute declined cancel never don't stop why "
                           "refund rubbish agent human trouble".split())
POSITIVE_WORDS = frozenset("thanks thank great yes perfect please sure love good cheers yep "
                           "sí gracias claro".split())
