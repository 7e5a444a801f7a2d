"""Spoken-number vocabulary: number words, scales, units, count nouns, periods, and constants.

Kept apart from the parsing code so the word lists can grow (new nouns, new unit spellings
Whisper produces) without touching the logic in `quantities` and `estimates`.
"""

from __future__ import annotations

ONES = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
SCALES = {"thousand": 1e3, "k": 1e3, "grand": 1e3, "million": 1e6, "mil": 1e6, "mln": 1e6, "mn": 1e6,
           "billion": 1e9, "bn": 1e9, "trillion": 1e12}
GLUED_SCALES = {"k": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "mln": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}
BYTES = {"b": "B", "byte": "B", "bytes": "B", "kb": "KB", "kilobyte": "KB", "kilobytes": "KB",
          "mb": "MB", "megabyte": "MB", "megabytes": "MB", "meg": "MB", "megs": "MB",
          "gb": "GB", "gigabyte": "GB", "gigabytes": "GB", "gig": "GB", "gigs": "GB",
          "tb": "TB", "terabyte": "TB", "terabytes": "TB", "tera": "TB", "pb": "PB", "petabyte": "PB",
          "petabytes": "PB", "bit": "b", "bits": "b", "kilobit": "Kb", "kilobits": "Kb", "megabit": "Mb",
          "megabits": "Mb", "gigabit": "Gb", "gigabits": "Gb", "terabit": "Tb", "terabits": "Tb"}
BPS = {"kbps": "Kb", "mbps": "Mb", "gbps": "Gb", "tbps": "Tb", "bps": "b"}
TIME = {"ms": "ms", "millisecond": "ms", "milliseconds": "ms", "msec": "ms", "s": "s", "sec": "s",
         "secs": "s", "second": "s", "seconds": "s", "min": "min", "mins": "min", "minute": "min",
         "minutes": "min", "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h", "day": "day",
         "days": "day", "week": "week", "weeks": "week", "month": "month", "months": "month",
         "year": "year", "years": "year", "yr": "year", "yrs": "year"}
PERIODS = {"second": "second", "sec": "second", "s": "second", "minute": "minute", "min": "minute",
           "hour": "hour", "hr": "hour", "h": "hour", "day": "day", "week": "week", "month": "month",
           "year": "year", "yr": "year", "mo": "month", "d": "day"}
ADVERB_PER = {"daily": "day", "monthly": "month", "hourly": "hour", "weekly": "week", "yearly": "year",
               "annually": "year", "nightly": "day"}
RATE_ACRONYMS = {"qps": ("requests", "second"), "rps": ("requests", "second"), "tps": ("requests", "second"),
                  "dau": ("users", "day"), "daus": ("users", "day"), "mau": ("users", "month"),
                  "maus": ("users", "month")}
NOUNS = {"request": "requests", "requests": "requests", "query": "requests", "queries": "requests",
          "req": "requests", "reqs": "requests", "write": "writes", "writes": "writes",
          "read": "reads", "reads": "reads", "server": "servers", "servers": "servers", "node": "servers",
          "nodes": "servers", "machine": "servers", "machines": "servers", "box": "servers",
          "boxes": "servers", "instance": "servers", "instances": "servers", "host": "servers",
          "hosts": "servers", "user": "users", "users": "users", "people": "users", "url": "urls",
          "urls": "urls", "message": "messages", "messages": "messages", "tweet": "tweets",
          "tweets": "tweets", "post": "posts", "photo": "photos", "image": "images", "video": "videos",
          "upload": "uploads", "file": "files", "event": "events", "order": "orders",
          "connection": "connections", "incident": "incidents", "ticket": "tickets", "entry": "entries",
          "record": "records", "row": "rows", "object": "objects", "key": "keys", "item": "items",
          "click": "clicks", "view": "views", "page": "pages", "customer": "customers",
          "engineer": "engineers", "region": "regions", "signup": "signups", "signups": "signups"}
ADJECTIVES = {"new", "active", "daily", "monthly", "concurrent", "unique", "short", "total", "more",
               "media", "peak", "average", "simultaneous", "online", "extra", "additional", "raw", "api",
               "http", "database", "db", "write", "read", "paying", "registered", "distinct", "other",
               "shortening", "messaging", "chat", "web", "app", "cache", "redis", "small", "large"}
NOT_UNITS = {"things", "ways", "options", "reasons", "points", "parts", "steps", "questions", "approaches",
              "types", "kinds", "main", "issues", "problems", "areas", "pieces", "phases", "levels", "sides",
              "layers", "components", "goals", "cases", "aspects", "is", "was", "has", "its", "this", "thus",
              "as", "yes", "us", "less", "ones", "stages", "times", "tiers", "choices", "alternatives"}
CODE_CONTEXT = {"http", "https", "status", "code", "codes", "error", "errors", "version", "v", "python",
                 "java", "ipv", "tls", "http2", "returns", "returned", "return", "respond", "responds",
                 "response", "iphone", "windows", "ubuntu", "release", "rfc", "port", "chapter", "step",
                 "page", "line", "room", "route", "s", "ec", "p", "s3"}

VERBS = {"does", "goes", "plus", "across", "those", "these", "always", "perhaps", "unless", "whereas",
          "makes", "takes", "gives", "means", "comes", "becomes", "handles", "serves", "needs", "seems",
          "gets", "stays", "works", "keeps", "holds", "uses", "runs", "hits", "sends", "lets", "was",
          "is", "has", "thus", "this", "its", "as", "us", "yes", "less", "per", "plus", "minus"}


BYTE_UNITS = {"B", "KB", "MB", "GB", "TB", "PB", "b", "Kb", "Mb", "Gb", "Tb"}


OPERATORS = {"times", "x", "×", "*", "by", "over", "/", "plus", "+", "multiplied", "divided"}


IMPLICIT = {"twice": 2.0, "double": 2.0, "doubles": 2.0, "doubled": 2.0, "triple": 3.0, "triples": 3.0,
             "tripled": 3.0}

SECONDS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0, "week": 604800.0,
           "month": 2592000.0, "year": 31536000.0}
UNIT_SECONDS = {"s": 1.0, "min": 60.0, "h": 3600.0, "day": 86400.0, "week": 604800.0,
                 "month": 2592000.0, "year": 31536000.0}
BYTE_SCALE = {"B": 1.0, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "PB": 1e15,
               "b": 1.0, "Kb": 1e3, "Mb": 1e6, "Gb": 1e9, "Tb": 1e12}
BITS = {"b", "Kb", "Mb", "Gb", "Tb"}
TIME_CONSTANTS = (86400.0, 1e5, 3600.0, 2.5e6, 2.592e6, 2.6e6, 3e7, 3.15e7, 3.2e7)
