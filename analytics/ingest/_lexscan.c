/*
 * _lexscan: the fast path of lexlens' log loader, for plain JSONL files.
 *
 * It reads canonical raw Lex V2 conversation-log records (one JSON object per line)
 * straight into the columns of analytics.schema, and hands every line it is not
 * certain about back to the Python parser (analytics/ingest/records.py + turn_table.py),
 * which stays the one definition of what a line means. "Certain" is deliberately
 * narrow: a field of an unexpected JSON type, a duplicate key,
 * invalid UTF-8, an unusual number or time format, a Lambda event or a Lex V1 log:
 * all go back to Python. So this file never rejects a line and never decides an
 * edge case; tests/test_native_*.py check both paths give identical tables.
 *
 * Scanner.feed(buffer, first_line_no, max_line=0, separator=b"\n") -> [(line_no, start, end)]
 *                     lines for Python (longer than max_line, when > 0, included)
 * Scanner.physical    lines fed so far
 * Scanner.finish() -> dict of columns (bytes of int64/float64/uint8, lists of str)
 *                     and interned keys (lists of tuples of str, in code order)
 */
#define PY_SSIZE_T_CLEAN
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strtod_l */
#endif
#include <Python.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FAIL (-1)  /* not certain: the line goes to the Python parser */
#define NOMEM (-2) /* out of memory while parsing (no GIL held: reported later) */
#define MAX_DEPTH 64
#define MAX_DICT_KEYS 256
/* Composite slots nest by subSlots; each level holds a key array (4 KiB) on the stack, so
 * the fast path takes only this many levels (musl's threads have 128 KiB of stack). Lex's
 * sub-slots are not composite themselves; deeper lines go to Python. */
#define MAX_SLOT_NESTING 4
/* The times records may carry (analytics/ingest/records.py MIN_TIME_MS, MAX_TIME_MS):
 * 1970-01-01T00:00:00Z up to, not including, 2200-01-01T00:00:00Z. */
#define MIN_TIME_MS 0.0
#define MAX_TIME_MS 7258118399999.0

/* ---------- growable byte buffers ---------- */

typedef struct {
    char *data;
    Py_ssize_t len, cap;
} Buf;

static int buf_reserve(Buf *b, Py_ssize_t extra) {
    if (b->len + extra <= b->cap) return 0;
    Py_ssize_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra) cap *= 2;
    char *data = PyMem_RawRealloc(b->data, cap);  /* raw: the scanner runs without the GIL */
    if (!data) return -1;
    b->data = data;
    b->cap = cap;
    return 0;
}

static int buf_append(Buf *b, const void *src, Py_ssize_t n) {
    if (buf_reserve(b, n) < 0) return -1;
    memcpy(b->data + b->len, src, n);
    b->len += n;
    return 0;
}

static int buf_i64(Buf *b, int64_t v) { return buf_append(b, &v, sizeof v); }
static int buf_f64(Buf *b, double v) { return buf_append(b, &v, sizeof v); }
static int buf_u8(Buf *b, uint8_t v) { return buf_append(b, &v, 1); }

static void buf_free(Buf *b) { PyMem_RawFree(b->data); b->data = NULL; b->len = b->cap = 0; }

/* ---------- hash tables: key bytes -> code (0, 1, 2, ... in order of first sight) ---------- */

typedef struct {  /* 24 bytes: the tables are probed at random, so size is cache misses */
    uint64_t hash;
    int64_t offset;   /* key bytes in keys.data */
    uint32_t len;
    uint32_t code1;   /* code + 1; 0 for an empty slot */
} Entry;

typedef struct {
    Entry *entries;
    Py_ssize_t cap, count;  /* count: codes given (keys kept), some without an entry (append_text) */
    Py_ssize_t filled;      /* entries in use */
    Buf keys;
} Table;

static uint64_t hash_bytes(const char *p, Py_ssize_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t k;
        memcpy(&k, p, 8);
        h = (h ^ k) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t k = 0;
    memcpy(&k, p, n);
    h = (h ^ k) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    return h;
}

static int table_grow(Table *t) {
    Py_ssize_t cap = t->cap ? t->cap * 2 : 1024;
    Entry *entries = PyMem_RawCalloc(cap, sizeof(Entry));
    if (!entries) return -1;
    for (Py_ssize_t i = 0; i < t->cap; i++) {
        if (!t->entries[i].code1) continue;
        Py_ssize_t j = t->entries[i].hash & (cap - 1);
        while (entries[j].code1) j = (j + 1) & (cap - 1);
        entries[j] = t->entries[i];
    }
    PyMem_RawFree(t->entries);
    t->entries = entries;
    t->cap = cap;
    return 0;
}

/* The entry for key: its own, or the empty slot where it belongs. */
static Entry *table_find(Table *t, const char *key, Py_ssize_t n, uint64_t hash) {
    Py_ssize_t j = hash & (t->cap - 1);
    for (;;) {
        Entry *e = &t->entries[j];
        if (!e->code1) return e;
        if (e->hash == hash && e->len == n && memcmp(t->keys.data + e->offset, key, n) == 0) return e;
        j = (j + 1) & (t->cap - 1);
    }
}

/* Look key up, adding it with the next code when new (*found says which). NULL: no memory. */
static Entry *table_lookup(Table *t, const char *key, Py_ssize_t n, int *found) {
    if ((t->filled + 1) * 2 > t->cap && table_grow(t) < 0) return NULL;
    if (n >= UINT32_MAX || t->count >= UINT32_MAX - 1) return NULL;
    uint64_t hash = hash_bytes(key, n);
    Entry *e = table_find(t, key, n, hash);
    *found = e->code1 != 0;
    if (!e->code1) {
        Py_ssize_t offset = t->keys.len;
        if (buf_append(&t->keys, key, n) < 0) return NULL;
        e->hash = hash;
        e->offset = offset;
        e->len = (uint32_t)n;
        e->code1 = (uint32_t)++t->count;
        t->filled++;
    }
    return e;
}

static void table_free(Table *t) {
    PyMem_RawFree(t->entries);
    t->entries = NULL;
    t->cap = t->count = t->filled = 0;
    buf_free(&t->keys);
}

/* ---------- strings seen in a line ---------- */

typedef struct {
    const char *p;  /* NULL for JSON null or absent: the Python side makes both '' */
    Py_ssize_t n;
} Str;

static const Str EMPTY = {NULL, 0};

static int str_eq(Str s, const char *lit) {
    Py_ssize_t n = (Py_ssize_t)strlen(lit);
    return s.n == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

/* ---------- one record, as parsed before it is committed ---------- */

typedef struct {
    Str name, source, sentiment;
    double confidence, positive, negative;
} Interp;

typedef struct {
    Str name, shape, original, interpreted;
    int64_t item;
    int filled;
} SlotRow;

typedef struct {
    Str key, value;
} Pair;

typedef struct {
    Str timestamp;
    Str bot[6];  /* id, name, aliasId, aliasName, localeId, version */
    Str session_id, request_id, input_mode, operation, transcript;
    int missed;
    Interp *interps;
    Py_ssize_t n_interps, cap_interps;
    Str intent_name, intent_state, confirmation, action_type, slot_to_elicit, conversation_id;
    SlotRow *slots;
    Py_ssize_t n_slots, cap_slots;
    Pair *attrs, *req_attrs;
    Py_ssize_t n_attrs, cap_attrs, n_req_attrs, cap_req_attrs;
    Str *messages;  /* non-null message elements' content */
    Py_ssize_t n_messages, cap_messages;
} Rec;

#define GROW(arr, n, cap, type)                                               \
    do {                                                                      \
        if ((n) >= (cap)) {                                                   \
            Py_ssize_t new_cap = (cap) ? (cap) * 2 : 16;                      \
            type *grown = PyMem_RawRealloc((arr), new_cap * sizeof(type));    \
            if (!grown) return NOMEM;                                         \
            (arr) = grown;                                                    \
            (cap) = new_cap;                                                  \
        }                                                                     \
    } while (0)

/* ---------- JSON cursor ---------- */

typedef struct {
    const char *p, *end;
    char *arena;  /* decoded strings (escapes) and built names live here for one line */
    Py_ssize_t arena_len, arena_cap;
    int depth;
    int slot_nesting;  /* subSlots levels entered */
} Cur;

static inline int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static inline void skip_ws(Cur *c) {
    while (c->p < c->end && is_ws(*c->p)) c->p++;
}

static inline int peek(Cur *c) {
    skip_ws(c);
    return c->p < c->end ? (unsigned char)*c->p : -1;
}

static int hexval(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static int read_hex4(const char *p, const char *end, unsigned *out) {
    if (end - p < 4) return FAIL;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0) return FAIL;
        v = v * 16 + h;
    }
    *out = v;
    return 0;
}

/* A JSON string at c->p (which is '"'); escapes decoded into the arena. */
/* The bytes of w that are '"', '\\' or a control character (< 0x20), each flagged by its high
   bit (0: none). A borrow may flag bytes above the lowest flagged one; the lowest is exact. */
static inline uint64_t special_bytes(uint64_t w) {
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
    uint64_t special = ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) |
                       ((w - ones * 0x20) & ~w);
    return special & highs;
}

static int parse_string(Cur *c, Str *out) {
    const char *p = c->p + 1, *start = p;
    while (c->end - p >= 8) {  /* eight plain bytes at a time */
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t special = special_bytes(w);
        if (special) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            p += __builtin_ctzll(special) >> 3;  /* the first special byte: the lowest flag is exact */
            if (*p == '"') {
                out->p = start;
                out->n = p - start;
                c->p = p + 1;
                return 0;
            }
#endif
            break;
        }
        p += 8;
    }
    while (p < c->end) {
        unsigned char ch = *p;
        if (ch == '"') {
            out->p = start;
            out->n = p - start;
            c->p = p + 1;
            return 0;
        }
        if (ch == '\\') break;
        if (ch < 0x20) return FAIL;
        p++;
    }
    if (p >= c->end) return FAIL;
    /* has escapes: decode into the arena (never longer than the raw text) */
    char *dst = c->arena + c->arena_len;
    char *limit = c->arena + c->arena_cap;
    if (limit - dst < (c->end - start)) return FAIL;
    memcpy(dst, start, p - start);
    char *w = dst + (p - start);
    while (p < c->end) {
        unsigned char ch = *p;
        if (ch == '"') {
            out->p = dst;
            out->n = w - dst;
            c->arena_len = w - c->arena;
            c->p = p + 1;
            return 0;
        }
        if (ch < 0x20) return FAIL;
        if (ch != '\\') { *w++ = ch; p++; continue; }
        if (p + 1 >= c->end) return FAIL;
        char e = p[1];
        p += 2;
        switch (e) {
            case '"': *w++ = '"'; break;
            case '\\': *w++ = '\\'; break;
            case '/': *w++ = '/'; break;
            case 'b': *w++ = '\b'; break;
            case 'f': *w++ = '\f'; break;
            case 'n': *w++ = '\n'; break;
            case 'r': *w++ = '\r'; break;
            case 't': *w++ = '\t'; break;
            case 'u': {
                unsigned cp;
                if (read_hex4(p, c->end, &cp) < 0) return FAIL;
                p += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned lo;
                    if (c->end - p < 6 || p[0] != '\\' || p[1] != 'u') return FAIL;
                    if (read_hex4(p + 2, c->end, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF) return FAIL;
                    p += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return FAIL;  /* a lone surrogate: Python decides */
                }
                if (cp < 0x80) {
                    *w++ = (char)cp;
                } else if (cp < 0x800) {
                    *w++ = (char)(0xC0 | (cp >> 6));
                    *w++ = (char)(0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                    *w++ = (char)(0xE0 | (cp >> 12));
                    *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                    *w++ = (char)(0x80 | (cp & 0x3F));
                } else {
                    *w++ = (char)(0xF0 | (cp >> 18));
                    *w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
                    *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                    *w++ = (char)(0x80 | (cp & 0x3F));
                }
                break;
            }
            default: return FAIL;
        }
    }
    return FAIL;
}

/* A JSON number's extent; *is_int when it has neither fraction nor exponent. */
static int scan_number(Cur *c, const char **start, Py_ssize_t *n, int *is_int) {
    const char *p = c->p, *s = p;
    *is_int = 1;
    if (p < c->end && *p == '-') p++;
    if (p >= c->end) return FAIL;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < c->end && *p >= '0' && *p <= '9') p++;
    } else {
        return FAIL;
    }
    if (p < c->end && *p == '.') {
        *is_int = 0;
        p++;
        if (p >= c->end || *p < '0' || *p > '9') return FAIL;
        while (p < c->end && *p >= '0' && *p <= '9') p++;
    }
    if (p < c->end && (*p == 'e' || *p == 'E')) {
        *is_int = 0;
        p++;
        if (p < c->end && (*p == '+' || *p == '-')) p++;
        if (p >= c->end || *p < '0' || *p > '9') return FAIL;
        while (p < c->end && *p >= '0' && *p <= '9') p++;
    }
    *start = s;
    *n = p - s;
    c->p = p;
    return 0;
}

static locale_t c_locale;

/* Text to double, correctly rounded, whatever the process locale; no GIL needed. */
static double c_strtod(const char *text) {
#ifdef __GLIBC__
    return strtod_l(text, NULL, c_locale);
#else
    return strtod(text, NULL);
#endif
}

/* A JSON number as Python's float(json value) gives it; FAIL where they could differ. */
static int parse_number(Cur *c, double *out) {
    const char *s;
    Py_ssize_t n;
    int is_int;
    if (scan_number(c, &s, &n, &is_int) < 0) return FAIL;
    if (n > 40) return FAIL;
    char tmp[48];
    memcpy(tmp, s, n);
    tmp[n] = 0;
    if (is_int) {
        if (n > 18) return FAIL;  /* beyond int64 msgspec's rules differ: Python decides */
        double v = (double)strtoll(tmp, NULL, 10);
        *out = v == 0 ? 0.0 : v;  /* int -0 is 0 */
        return 0;
    }
    double v = c_strtod(tmp);
    if (!isfinite(v) || (v != 0 && fabs(v) < 2.2250738585072014e-308)) return FAIL;
    if (v == 0) {
        for (Py_ssize_t i = 0; i < n && s[i] != 'e' && s[i] != 'E'; i++)
            if (s[i] >= '1' && s[i] <= '9') return FAIL;  /* underflow */
    }
    *out = v;
    return 0;
}

/* float(text) for text shaped like a plain decimal number; FAIL for anything else. */
static int parse_decimal_text(Str s, double *out) {
    if (s.n == 0 || s.n > 40) return FAIL;
    Cur c = {s.p, s.p + s.n, NULL, 0, 0, 0};
    const char *start;
    Py_ssize_t n;
    int is_int;
    if (scan_number(&c, &start, &n, &is_int) < 0 || n != s.n) return FAIL;
    char tmp[48];
    memcpy(tmp, s.p, s.n);
    tmp[s.n] = 0;
    *out = c_strtod(tmp);  /* as float(): correctly rounded, inf on overflow */
    return 0;
}

static int skip_value(Cur *c);

static int skip_object(Cur *c) {
    if (++c->depth > MAX_DEPTH) return FAIL;
    c->p++;
    if (peek(c) == '}') { c->p++; c->depth--; return 0; }
    for (;;) {
        Str key;
        if (peek(c) != '"' || parse_string(c, &key) < 0) return FAIL;
        if (peek(c) != ':') return FAIL;
        c->p++;
        if (skip_value(c) < 0) return FAIL;
        int ch = peek(c);
        c->p++;
        if (ch == ',') continue;
        if (ch == '}') break;
        return FAIL;
    }
    c->depth--;
    return 0;
}

static int skip_array(Cur *c) {
    if (++c->depth > MAX_DEPTH) return FAIL;
    c->p++;
    if (peek(c) == ']') { c->p++; c->depth--; return 0; }
    for (;;) {
        if (skip_value(c) < 0) return FAIL;
        int ch = peek(c);
        c->p++;
        if (ch == ',') continue;
        if (ch == ']') break;
        return FAIL;
    }
    c->depth--;
    return 0;
}

static int match_literal(Cur *c, const char *lit, Py_ssize_t n) {
    if (c->end - c->p < n || memcmp(c->p, lit, n) != 0) return FAIL;
    c->p += n;
    return 0;
}

static int skip_value(Cur *c) {
    Str s;
    const char *start;
    Py_ssize_t n;
    int is_int;
    switch (peek(c)) {
        case '{': return skip_object(c);
        case '[': return skip_array(c);
        case '"': return parse_string(c, &s);
        case 't': return match_literal(c, "true", 4);
        case 'f': return match_literal(c, "false", 5);
        case 'n': return match_literal(c, "null", 4);
        default: return scan_number(c, &start, &n, &is_int);
    }
}

/* null -> 1 (consumed), anything else -> 0 (not consumed). */
static int take_null(Cur *c) {
    if (peek(c) == 'n') {
        if (match_literal(c, "null", 4) < 0) return FAIL;
        return 1;
    }
    return 0;
}

/* A field typed Any that lexlens reads as text: string or null; FAIL otherwise. */
static int parse_text(Cur *c, Str *out) {
    int ch = peek(c);
    if (ch == '"') return parse_string(c, out);
    if (ch == 'n') { *out = EMPTY; return match_literal(c, "null", 4); }
    return FAIL;
}

static int parse_confidence_object(Cur *c, double *out);

/* nluConfidence / a sentiment score, as turn_table.as_confidence reads it. */
static int parse_confidence(Cur *c, double *out) {
    int ch = peek(c);
    if (ch == 'n') { *out = NAN; return match_literal(c, "null", 4); }
    if (ch == '{') return parse_confidence_object(c, out);
    if (ch == '"') {
        Str s;
        if (parse_string(c, &s) < 0) return FAIL;
        return parse_decimal_text(s, out);
    }
    if (ch == '-' || (ch >= '0' && ch <= '9')) return parse_number(c, out);
    return FAIL;
}

/* Object iteration: for (first = 1; next_key(c, &key, &first) > 0;) { ... parse value ... } */
static int next_key(Cur *c, Str *key, int *first) {
    int ch = peek(c);
    if (*first) {
        *first = 0;
        if (ch == '}') { c->p++; c->depth--; return 0; }
    } else {
        c->p++;
        if (ch == '}') { c->depth--; return 0; }
        if (ch != ',') return FAIL;
        if (peek(c) != '"') return FAIL;
    }
    if (peek(c) != '"' || parse_string(c, key) < 0) return FAIL;
    if (peek(c) != ':') return FAIL;
    c->p++;
    return 1;
}

static int open_object(Cur *c) {
    if (peek(c) != '{' || ++c->depth > MAX_DEPTH) return FAIL;
    c->p++;
    return 0;
}

/* A struct field name, compared with the key as decoded: msgspec matches "sessi\\u006fnId" to
 * sessionId too (and keeps the last of two spellings, which SEEN leaves to Python). */
static int key_is(Str key, const char *name) {
    return str_eq(key, name);
}


/* A field seen twice in one object: msgspec keeps the last, we leave it to Python. */
#define SEEN(bit)                              \
    do {                                       \
        if (seen & (1u << (bit))) return FAIL; \
        seen |= 1u << (bit);                   \
    } while (0)

/* ---------- the record's parts ---------- */

/* The runtime API's {"score": 0.63}: as_confidence(value.get("score")), NaN without one.
 * A score that is itself an object, or written twice: Python. */
static int parse_confidence_object(Cur *c, double *out) {
    if (open_object(c) < 0) return FAIL;
    Str key;
    unsigned seen = 0;
    int first = 1, more;
    *out = NAN;
    while ((more = next_key(c, &key, &first)) > 0) {
        if (key_is(key, "score")) {
            SEEN(0);
            if (peek(c) == '{' || parse_confidence(c, out) < 0) return FAIL;
        } else if (skip_value(c) < 0) {
            return FAIL;
        }
    }
    return more;
}


/* An object whose known fields are all text (string or null): each name in ``names`` is
 * read into the matching ``outs`` entry (left as is when absent), other fields skipped.
 * A field seen twice leaves the line to Python. */
static int parse_text_fields(Cur *c, const char *const *names, Str *const *outs, int count) {
    if (open_object(c) < 0) return FAIL;
    Str key;
    unsigned seen = 0;
    int first = 1, more;
    while ((more = next_key(c, &key, &first)) > 0) {
        int i;
        for (i = 0; i < count; i++) if (key_is(key, names[i])) break;
        if (i < count) {
            SEEN(i);
            if (parse_text(c, outs[i]) < 0) return FAIL;
        } else if (skip_value(c) < 0) {
            return FAIL;
        }
    }
    return more;
}

static int parse_bot(Cur *c, Rec *r) {
    static const char *const names[6] = {"id", "name", "aliasId", "aliasName", "localeId", "version"};
    Str *const outs[6] = {&r->bot[0], &r->bot[1], &r->bot[2], &r->bot[3], &r->bot[4], &r->bot[5]};
    return parse_text_fields(c, names, outs, 6);
}

/* The keys of a JSON object read as a dict: distinct (Python would keep the last of two). */
static int dict_key_is_new(Str key, Str *keys, Py_ssize_t *n) {
    if (*n >= MAX_DICT_KEYS) return FAIL;
    for (Py_ssize_t i = 0; i < *n; i++)
        if (keys[i].n == key.n && memcmp(keys[i].p, key.p, key.n) == 0) return FAIL;
    keys[(*n)++] = key;
    return 0;
}

/* sessionAttributes / requestAttributes: dict[str, Any], values read as text. */
static int parse_attributes(Cur *c, Pair **pairs, Py_ssize_t *n, Py_ssize_t *cap) {
    int null = take_null(c);
    if (null) return null < 0 ? FAIL : 0;
    if (open_object(c) < 0) return FAIL;
    Str key;
    int first = 1, more;
    while ((more = next_key(c, &key, &first)) > 0) {
        for (Py_ssize_t i = 0; i < *n; i++)
            if ((*pairs)[i].key.n == key.n && memcmp((*pairs)[i].key.p, key.p, key.n) == 0) return FAIL;
        if (*n >= MAX_DICT_KEYS) return FAIL;
        GROW(*pairs, *n, *cap, Pair);
        Pair *pair = &(*pairs)[*n];
        pair->key = key;
        if (parse_text(c, &pair->value) < 0) return FAIL;
        (*n)++;
    }
    return more;
}

/* A slot value object: originalValue and interpretedValue as text. */
static int parse_slot_value(Cur *c, Str *original, Str *interpreted) {
    static const char *const names[2] = {"originalValue", "interpretedValue"};
    Str *const outs[2] = {original, interpreted};
    *original = *interpreted = EMPTY;
    return parse_text_fields(c, names, outs, 2);
}

typedef struct {
    Str shape, original, interpreted;
    int has_value;
    const char *values, *sub_slots;  /* where a non-empty values[] / subSlots{} starts */
} SlotParts;

/* A slot object's own fields; values[] and subSlots{} are checked, then read again later. */
static int parse_slot_parts(Cur *c, SlotParts *s) {
    if (open_object(c) < 0) return FAIL;
    Str key;
    unsigned seen = 0;
    int first = 1, more;
    memset(s, 0, sizeof *s);
    while ((more = next_key(c, &key, &first)) > 0) {
        if (key_is(key, "shape")) {
            SEEN(0);
            if (parse_text(c, &s->shape) < 0) return FAIL;
        } else if (key_is(key, "value")) {
            SEEN(1);
            int null = take_null(c);
            if (null < 0) return FAIL;
            if (!null) {
                s->has_value = 1;
                if (parse_slot_value(c, &s->original, &s->interpreted) < 0) return FAIL;
            }
        } else if (key_is(key, "values")) {
            SEEN(2);
            int null = take_null(c);
            if (null < 0) return FAIL;
            if (!null) {
                if (peek(c) != '[') return FAIL;
                const char *start = c->p;
                c->p++;
                int empty = peek(c) == ']';
                c->p = start;
                if (skip_array(c) < 0) return FAIL;
                if (!empty) s->values = start;
            }
        } else if (key_is(key, "subSlots")) {
            SEEN(3);
            int null = take_null(c);
            if (null < 0) return FAIL;
            if (!null) {
                if (peek(c) != '{') return FAIL;
                const char *start = c->p;
                c->p++;
                int empty = peek(c) == '}';
                c->p = start;
                if (skip_object(c) < 0) return FAIL;
                if (!empty) s->sub_slots = start;
            }
        } else if (skip_value(c) < 0) {
            return FAIL;
        }
    }
    return more;
}

static int add_slot_row(Rec *r, Str name, Str shape, int64_t item, int filled, Str original,
                        Str interpreted) {
    GROW(r->slots, r->n_slots, r->cap_slots, SlotRow);
    SlotRow *row = &r->slots[r->n_slots++];
    row->name = name;
    row->shape = shape;
    row->item = item;
    row->filled = filled;
    row->original = original;
    row->interpreted = interpreted;
    return 0;
}

static const Str SHAPE_SCALAR = {"Scalar", 6}, SHAPE_LIST = {"List", 4};

static int parse_slot(Cur *c, Rec *r, Str name);

/* "Parent.Child" in the arena. */
static int join_name(Cur *c, Str parent, Str child, Str *out) {
    Py_ssize_t n = parent.n + 1 + child.n;
    if (c->arena_cap - c->arena_len < n) return FAIL;
    char *dst = c->arena + c->arena_len;
    if (parent.n) memcpy(dst, parent.p, parent.n);
    dst[parent.n] = '.';
    if (child.n) memcpy(dst + parent.n + 1, child.p, child.n);
    c->arena_len += n;
    out->p = dst;
    out->n = n;
    return 0;
}

/* The slots dict (or a subSlots dict): one parse_slot per entry, keys distinct. */
static int parse_slot_dict(Cur *c, Rec *r, Str parent, int nested) {
    if (open_object(c) < 0) return FAIL;
    Str key, keys[MAX_DICT_KEYS];
    Py_ssize_t n_keys = 0;
    int first = 1, more;
    while ((more = next_key(c, &key, &first)) > 0) {
        if (dict_key_is_new(key, keys, &n_keys) < 0) return FAIL;
        Str name = key;
        if (nested && join_name(c, parent, key, &name) < 0) return FAIL;
        int status = parse_slot(c, r, name);
        if (status < 0) return status;
    }
    return more;
}

/* One slot's rows, in turn_table.slot_rows' order: sub-slots, then List items or the value. */
static int parse_slot(Cur *c, Rec *r, Str name) {
    int null = take_null(c);
    if (null < 0) return FAIL;
    if (null) return add_slot_row(r, name, EMPTY, -1, 0, EMPTY, EMPTY);
    SlotParts s;
    if (parse_slot_parts(c, &s) < 0) return FAIL;
    const char *resume = c->p;
    Py_ssize_t rows_before = r->n_slots;
    int status;
    if (s.sub_slots) {
        if (++c->slot_nesting > MAX_SLOT_NESTING) return FAIL;
        c->p = s.sub_slots;
        if ((status = parse_slot_dict(c, r, name, 1)) < 0) return status;
        c->slot_nesting--;
    }
    if (s.values) {
        Str shape = s.shape.n ? s.shape : SHAPE_LIST;
        c->p = s.values + 1;
        c->depth++;
        int64_t item = 0;
        for (;;) {
            int element_null = take_null(c);
            if (element_null < 0) return FAIL;
            if (element_null) {
                if ((status = add_slot_row(r, name, shape, item, 0, EMPTY, EMPTY)) < 0) return status;
            } else {
                SlotParts element;
                if (parse_slot_parts(c, &element) < 0) return FAIL;
                if (element.values || element.sub_slots) return FAIL;  /* nested lists: Python */
                status = add_slot_row(r, name, shape, item, element.has_value,
                                      element.has_value ? element.original : EMPTY,
                                      element.has_value ? element.interpreted : EMPTY);
                if (status < 0) return status;
            }
            item++;
            int ch = peek(c);
            c->p++;
            if (ch == ',') continue;
            if (ch == ']') break;
            return FAIL;
        }
        c->depth--;
    } else if (s.has_value || r->n_slots == rows_before) {
        Str shape = s.shape.n ? s.shape : SHAPE_SCALAR;
        status = add_slot_row(r, name, shape, -1, s.has_value, s.has_value ? s.original : EMPTY,
                              s.has_value ? s.interpreted : EMPTY);
        if (status < 0) return status;
    }
    c->p = resume;
    return 0;
}

static int parse_intent(Cur *c, Rec *r) {
    int null = take_null(c);
    if (null) return null < 0 ? FAIL : 0;
    if (open_object(c) < 0) return FAIL;
    Str key;
    unsigned seen = 0;
    int first = 1, more, status;
    while ((more = next_key(c, &key, &first)) > 0) {
        if (key_is(key, "name")) {
            SEEN(0);
            if (parse_text(c, &r->intent_name) < 0) return FAIL;
        } else if (key_is(key, "state")) {
            SEEN(1);
            if (parse_text(c, &r->intent_state) < 0) return FAIL;
        } else if (key_is(key, "confirmationState")) {
            SEEN(2);
            if (parse_text(c, &r->confirmation) < 0) return FAIL;
        } else if (key_is(key, "slots")) {
            SEEN(3);
            int slots_null = take_null(c);
            if (slots_null < 0) return FAIL;
            if (!slots_null && (status = parse_slot_dict(c, r, EMPTY, 0)) < 0) return status;
        } else if (skip_value(c) < 0) {
            return FAIL;
        }
    }
    return more;
}

static int parse_dialog_action(Cur *c, Rec *r) {
    static const char *const names[2] = {"type", "slotToElicit"};
    Str *const outs[2] = {&r->action_type, &r->slot_to_elicit};
    int null = take_null(c);
    if (null) return null < 0 ? FAIL : 0;
    return parse_text_fields(c, names, outs, 2);
}

static int parse_session_state(Cur *c, Rec *r) {
    int null = take_null(c);
    if (null) return null < 0 ? FAIL : 0;
    if (open_object(c) < 0) return FAIL;
    Str key;
    unsigned seen = 0;
    int first = 1, more, status;
    while ((more = next_key(c, &key, &first)) > 0) {
        if (key_is(key, "dialogAction")) {
            SEEN(0);
            if ((status = parse_dialog_action(c, r)) < 0) return status;
        } else if (key_is(key, "intent")) {
            SEEN(1);
            if ((status = parse_intent(c, r)) < 0) return status;
        } else if (key_is(key, "sessionAttributes")) {
            SEEN(2);
            if ((status = parse_attributes(c, &r->attrs, &r->n_attrs, &r->cap_attrs)) < 0)
                return status;
        } else if (key_is(key, "originatingRequestId")) {
            SEEN(3);
            if (parse_text(c, &r->conversation_id) < 0) return FAIL;
        } else if (skip_value(c) < 0) {
            return FAIL;
        }
    }
    return more;
}

/* sentimentScore: as turn_table.as_score reads 'positive' (else 'Positive') and 'negative'. */
static int parse_scores(Cur *c, Interp *in) {
    int null = take_null(c);
    if (null) return null < 0 ? FAIL : 0;
    if (open_object(c) < 0) return FAIL;
    Str key;
    unsigned seen = 0;
    int first = 1, more;
    double lower_pos = NAN, upper_pos = NAN, lower_neg = NAN, upper_neg = NAN;
    while ((more = next_key(c, &key, &first)) > 0) {
        if (key_is(key, "positive")) {
            SEEN(0);
            if (parse_confidence(c, &lower_pos) < 0) return FAIL;
        } else if (key_is(key, "Positive")) {
            SEEN(1);
            if (parse_confidence(c, &upper_pos) < 0) return FAIL;
        } else if (key_is(key, "negative")) {
            SEEN(2);
            if (parse_confidence(c, &lower_neg) < 0) return FAIL;
        } else if (key_is(key, "Negative")) {
            SEEN(3);
            if (parse_confidence(c, &upper_neg) < 0) return FAIL;
        } else if (skip_value(c) < 0) {
            return FAIL;
        }
    }
    if (more < 0) return FAIL;
    in->positive = (seen & 1) ? lower_pos : upper_pos;
    in->negative = (seen & 4) ? lower_neg : upper_neg;
    return 0;
}

static int parse_sentiment(Cur *c, Interp *in) {
    int null = take_null(c);
    if (null) return null < 0 ? FAIL : 0;
    if (open_object(c) < 0) return FAIL;
    Str key;
    unsigned seen = 0;
    int first = 1, more;
    while ((more = next_key(c, &key, &first)) > 0) {
        if (key_is(key, "sentiment")) {
            SEEN(0);
            if (parse_text(c, &in->sentiment) < 0 || in->sentiment.n > 64) return FAIL;
            for (Py_ssize_t i = 0; i < in->sentiment.n; i++)
                if ((unsigned char)in->sentiment.p[i] >= 0x80) return FAIL;  /* str.upper(): Python */
        } else if (key_is(key, "sentimentScore")) {
            SEEN(1);
            if (parse_scores(c, in) < 0) return FAIL;
        } else if (skip_value(c) < 0) {
            return FAIL;
        }
    }
    return more;
}

static int parse_interpretation_name(Cur *c, Str *name) {
    static const char *const names[1] = {"name"};
    Str *const outs[1] = {name};
    int null = take_null(c);
    if (null) return null < 0 ? FAIL : 0;
    return parse_text_fields(c, names, outs, 1);
}

static int parse_interpretations(Cur *c, Rec *r) {
    int null = take_null(c);
    if (null) return null < 0 ? FAIL : 0;
    if (peek(c) != '[' || ++c->depth > MAX_DEPTH) return FAIL;
    c->p++;
    if (peek(c) == ']') { c->p++; c->depth--; return 0; }
    for (;;) {
        int element_null = take_null(c);
        if (element_null < 0) return FAIL;
        if (!element_null) {
            GROW(r->interps, r->n_interps, r->cap_interps, Interp);
            Interp *in = &r->interps[r->n_interps];
            memset(in, 0, sizeof *in);
            in->confidence = in->positive = in->negative = NAN;
            if (open_object(c) < 0) return FAIL;
            Str key;
            unsigned seen = 0;
            int first = 1, more;
            while ((more = next_key(c, &key, &first)) > 0) {
                if (key_is(key, "intent")) {
                    SEEN(0);
                    if (parse_interpretation_name(c, &in->name) < 0) return FAIL;
                } else if (key_is(key, "nluConfidence")) {
                    SEEN(1);
                    if (parse_confidence(c, &in->confidence) < 0) return FAIL;
                } else if (key_is(key, "sentimentResponse")) {
                    SEEN(2);
                    if (parse_sentiment(c, in) < 0) return FAIL;
                } else if (key_is(key, "interpretationSource")) {
                    SEEN(3);
                    if (parse_text(c, &in->source) < 0) return FAIL;
                } else if (skip_value(c) < 0) {
                    return FAIL;
                }
            }
            if (more < 0) return FAIL;
            r->n_interps++;
        }
        int ch = peek(c);
        c->p++;
        if (ch == ',') continue;
        if (ch == ']') break;
        return FAIL;
    }
    c->depth--;
    return 0;
}

static int parse_messages(Cur *c, Rec *r) {
    int null = take_null(c);
    if (null) return null < 0 ? FAIL : 0;
    if (peek(c) != '[' || ++c->depth > MAX_DEPTH) return FAIL;
    c->p++;
    if (peek(c) == ']') { c->p++; c->depth--; return 0; }
    for (;;) {
        int element_null = take_null(c);
        if (element_null < 0) return FAIL;
        if (!element_null) {
            GROW(r->messages, r->n_messages, r->cap_messages, Str);
            static const char *const names[1] = {"content"};
            Str *const outs[1] = {&r->messages[r->n_messages]};
            *outs[0] = EMPTY;
            if (parse_text_fields(c, names, outs, 1) < 0) return FAIL;
            r->n_messages++;
        }
        int ch = peek(c);
        c->p++;
        if (ch == ',') continue;
        if (ch == ']') break;
        return FAIL;
    }
    c->depth--;
    return 0;
}

enum {
    F_TIMESTAMP, F_BOT, F_SESSION, F_REQUEST, F_MODE, F_OPERATION, F_TRANSCRIPT, F_MISSED,
    F_INTERPRETATIONS, F_STATE, F_MESSAGES, F_REQUEST_ATTRS, F_MESSAGE, F_EVENTS,
    F_VERSION, F_VERSION_DASHED, F_RESPONSE_REASON
};

/* The whole line as one record; FAIL (or -2 for a Python error) unless certain. */
static int parse_record(Cur *c, Rec *r) {
    if (open_object(c) < 0) return FAIL;
    Str key;
    unsigned seen = 0;
    int first = 1, more, status, has_bot = 0;
    while ((more = next_key(c, &key, &first)) > 0) {
        if (key_is(key, "timestamp")) {
            SEEN(F_TIMESTAMP);
            if (peek(c) != '"' || parse_string(c, &r->timestamp) < 0) return FAIL;
        } else if (key_is(key, "bot")) {
            SEEN(F_BOT);
            if ((status = parse_bot(c, r)) < 0) return status;
            has_bot = 1;
        } else if (key_is(key, "sessionId")) {
            SEEN(F_SESSION);
            if (peek(c) != '"' || parse_string(c, &r->session_id) < 0 || r->session_id.n == 0)
                return FAIL;
        } else if (key_is(key, "requestId")) {
            SEEN(F_REQUEST);
            if (parse_text(c, &r->request_id) < 0) return FAIL;
        } else if (key_is(key, "inputMode")) {
            SEEN(F_MODE);
            if (parse_text(c, &r->input_mode) < 0) return FAIL;
        } else if (key_is(key, "operationName")) {
            SEEN(F_OPERATION);
            if (parse_text(c, &r->operation) < 0) return FAIL;
        } else if (key_is(key, "inputTranscript")) {
            SEEN(F_TRANSCRIPT);
            if (parse_text(c, &r->transcript) < 0) return FAIL;
        } else if (key_is(key, "missedUtterance")) {
            SEEN(F_MISSED);
            int ch = peek(c);
            if (ch == 't') {
                if (match_literal(c, "true", 4) < 0) return FAIL;
                r->missed = 1;
            } else if (ch == 'f' || ch == 'n') {
                if (skip_value(c) < 0) return FAIL;
            } else if (ch == '"') {
                Str s;
                if (parse_string(c, &s) < 0) return FAIL;
                r->missed = str_eq(s, "true");
            } else {
                return FAIL;
            }
        } else if (key_is(key, "interpretations")) {
            SEEN(F_INTERPRETATIONS);
            if ((status = parse_interpretations(c, r)) < 0) return status;
        } else if (key_is(key, "sessionState")) {
            SEEN(F_STATE);
            if ((status = parse_session_state(c, r)) < 0) return status;
        } else if (key_is(key, "messages")) {
            SEEN(F_MESSAGES);
            if ((status = parse_messages(c, r)) < 0) return status;
        } else if (key_is(key, "requestAttributes")) {
            SEEN(F_REQUEST_ATTRS);
            if ((status = parse_attributes(c, &r->req_attrs, &r->n_req_attrs, &r->cap_req_attrs)) < 0)
                return status;
        } else if (key_is(key, "responseReason")) {
            /* "UtteranceResponse" answers user input: a turn like any other. Any other reason
             * is a server response (records.is_server_response), which Python files apart. */
            SEEN(F_RESPONSE_REASON);
            Str reason;
            if (peek(c) != '"' || parse_string(c, &reason) < 0 || !str_eq(reason, "UtteranceResponse"))
                return FAIL;
        } else if (key_is(key, "invocationSource") || key_is(key, "proposedNextState") ||
                   key_is(key, "botName") || key_is(key, "botAlias") || key_is(key, "userId")) {
            return FAIL;  /* Lambda events and Lex V1 logs: Python says why they are rejected */
        } else {
            /* message, events, messageVersion and unknown fields: any JSON, unread */
            if (key_is(key, "message")) SEEN(F_MESSAGE);
            else if (key_is(key, "events")) SEEN(F_EVENTS);
            else if (key_is(key, "messageVersion")) SEEN(F_VERSION);
            else if (key_is(key, "message-version")) SEEN(F_VERSION_DASHED);
            if (skip_value(c) < 0) return FAIL;
        }
    }
    if (more < 0) return FAIL;
    if (!has_bot || !(seen & (1u << F_SESSION)) || !(seen & (1u << F_TIMESTAMP))) return FAIL;
    skip_ws(c);
    return c->p == c->end ? 0 : FAIL;
}

/* ---------- time ---------- */

static int digits(const char *p, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return FAIL;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 0;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* analytics.ingest.records.parse_iso_time_ms for 'YYYY-MM-DDTHH:MM:SS[.f{1,6}][Z|+HH:MM|-HH:MM]';
 * FAIL for any other form (Python decides those). */
static int parse_time_ms(Str s, int64_t *out) {
    const char *p = s.p;
    Py_ssize_t n = s.n;
    int year, month, day, hour, minute, second, micro = 0;
    if (n < 19 || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':')
        return FAIL;
    if (digits(p, 4, &year) || digits(p + 5, 2, &month) || digits(p + 8, 2, &day) ||
        digits(p + 11, 2, &hour) || digits(p + 14, 2, &minute) || digits(p + 17, 2, &second))
        return FAIL;
    static const int month_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > month_days[month - 1] ||
        hour > 23 || minute > 59 || second > 59)
        return FAIL;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month == 2 && day == 29 && !leap) return FAIL;
    Py_ssize_t i = 19;
    if (i < n && p[i] == '.') {
        int count = 0;
        i++;
        while (i < n && p[i] >= '0' && p[i] <= '9') {
            if (++count > 6) return FAIL;
            micro = micro * 10 + (p[i] - '0');
            i++;
        }
        if (count == 0) return FAIL;
        for (int k = count; k < 6; k++) micro *= 10;
    }
    int64_t offset_s = 0;
    if (i < n && p[i] == 'Z') {
        i++;
    } else if (i < n && (p[i] == '+' || p[i] == '-')) {
        int oh, om;
        if (n - i != 6 || p[i + 3] != ':' || digits(p + i + 1, 2, &oh) || digits(p + i + 4, 2, &om) ||
            oh > 23 || om > 59)
            return FAIL;
        offset_s = (oh * 3600 + om * 60) * (p[i] == '-' ? -1 : 1);
        i += 6;
    }
    if (i != n) return FAIL;
    int64_t days = days_from_civil(year, month, day);
    int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
    int64_t total_us = seconds * 1000000 + micro;
    /* Python: round((moment - epoch).total_seconds() * 1000), i.e. correctly rounded
     * int/int division, a float multiply and round-half-even */
    if (total_us > ((int64_t)1 << 53) || total_us < -((int64_t)1 << 53)) return FAIL;
    double ms = nearbyint(((double)total_us / 1e6) * 1000.0);
    if (ms < MIN_TIME_MS || ms > MAX_TIME_MS) return FAIL;
    *out = (int64_t)ms;
    return 0;
}

/* ---------- UTF-8 check (whole line; invalid anywhere: Python decides) ---------- */

static int valid_utf8(const unsigned char *s, Py_ssize_t n) {
    Py_ssize_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ULL)) { i += 8; continue; }
        }
        unsigned char c = s[i];
        if (c < 0x80) { i++; continue; }
        if (c >= 0xC2 && c <= 0xDF) {
            if (i + 1 >= n || (s[i + 1] & 0xC0) != 0x80) return 0;
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (i + 2 >= n || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80) return 0;
            if (c == 0xE0 && s[i + 1] < 0xA0) return 0;  /* overlong */
            if (c == 0xED && s[i + 1] >= 0xA0) return 0; /* surrogates */
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (i + 3 >= n || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 ||
                (s[i + 3] & 0xC0) != 0x80)
                return 0;
            if (c == 0xF0 && s[i + 1] < 0x90) return 0;
            if (c == 0xF4 && s[i + 1] >= 0x90) return 0;
            i += 4;
        } else {
            return 0;
        }
    }
    return 1;
}

/* ---------- the Scanner object ---------- */

/* Everything above the GIL line below runs without the GIL: the scanner keeps its results
 * in C (codes into interned key tables) and makes Python objects only in finish(). */

typedef struct {
    int64_t line_no;
    Py_ssize_t start, end;
} Span;

enum { T_TEXT, T_BOT, T_DIALOG, T_MESSAGE, T_INTENT, T_SLOT, T_ATTR, T_REQ_ATTR, N_TABLES };
static const int TABLE_PARTS[N_TABLES] = {0, 6, 10, 1, 1, 5, 2, 2};  /* 0: a plain text */
static const char *TABLE_NAMES[N_TABLES] = {"texts", "bot_keys", "dialog_keys", "message_keys",
                                            "intent_keys", "slot_keys", "attr_keys",
                                            "req_attr_keys"};

enum {
    C_LINE_NO, C_TIME_MS, C_SESSION, C_REQUEST, C_CONVERSATION, C_TRANSCRIPT, C_BOT, C_DIALOG,
    C_MESSAGE, C_NLU, C_RUNNER_NLU, C_POSITIVE, C_NEGATIVE, C_UTTERANCE, C_MISSED,
    C_INTERP_TURN, C_INTERP_RANK, C_INTERP_CODE, C_INTERP_CONFIDENCE,
    C_SLOT_TURN, C_SLOT_CODE, C_SLOT_ITEM, C_SLOT_FILLED,
    C_ATTR_TURN, C_ATTR_CODE, C_REQ_ATTR_TURN, C_REQ_ATTR_CODE, N_COLUMNS
};
static const char *COLUMN_NAMES[N_COLUMNS] = {
    "line_no", "time_ms", "session_code", "request_code", "conversation_code", "transcript_code",
    "bot_code", "dialog_code", "message_code", "nlu_confidence", "runner_up_confidence",
    "sentiment_positive", "sentiment_negative", "is_utterance", "missed",
    "interp_turn", "interp_rank", "interp_code", "interp_confidence",
    "slot_turn", "slot_code", "slot_item", "slot_filled",
    "attr_turn", "attr_code", "req_attr_turn", "req_attr_code"};

typedef struct {
    PyObject_HEAD
    Py_ssize_t lines, blank, fast, fallback, physical, turns;
    Buf columns[N_COLUMNS];
    Table tables[N_TABLES];
    Buf key_order[N_TABLES];  /* per code: (offset, length) of its key bytes */
    Buf key_scratch, text_scratch;
    Rec rec;
    char *arena;
    Py_ssize_t arena_cap;
    Span *spans;  /* lines left to Python */
    Py_ssize_t spans_n, spans_cap;
    int busy;
} Scanner;

/* The code of a tuple of texts (count parts; 0 = one plain text), interning it when new. */
static int64_t intern(Scanner *self, int which, const Str *parts, int count) {
    Buf *k = &self->key_scratch;
    const char *key;
    Py_ssize_t n;
    if (count == 0) {
        key = parts[0].n ? parts[0].p : "";
        n = parts[0].n;
    } else {
        k->len = 0;
        for (int i = 0; i < count; i++) {
            uint32_t len = (uint32_t)parts[i].n;
            if (buf_append(k, &len, sizeof len) < 0) return NOMEM;
            if (len && buf_append(k, parts[i].p, len) < 0) return NOMEM;
        }
        key = k->data;
        n = k->len;
    }
    Table *table = &self->tables[which];
    int found;
    Entry *e = table_lookup(table, key, n, &found);
    if (!e) return NOMEM;
    if (!found) {
        int64_t where[2] = {e->offset, e->len};
        if (buf_append(&self->key_order[which], where, sizeof where) < 0) return NOMEM;
    }
    return (int64_t)e->code1 - 1;
}

/* A new code for a text that (nearly) never repeats, such as a request id, without interning it:
   looking it up would cost a probe and an entry that no later text finds. Equal texts may so
   get two codes; the Python side makes a str per code, and equal strs are equal texts. */
static int64_t append_text(Scanner *self, int which, const Str *text) {
    Table *table = &self->tables[which];
    if (text->n >= UINT32_MAX || table->count >= UINT32_MAX - 1) return NOMEM;
    int64_t where[2] = {table->keys.len, text->n};
    if (text->n && buf_append(&table->keys, text->p, text->n) < 0) return NOMEM;
    if (buf_append(&self->key_order[which], where, sizeof where) < 0) return NOMEM;
    return table->count++;
}

#define PUT_I64(column, v) if (buf_i64(&self->columns[column], (v)) < 0) return NOMEM
#define PUT_F64(column, v) if (buf_f64(&self->columns[column], (v)) < 0) return NOMEM
#define PUT_U8(column, v) if (buf_u8(&self->columns[column], (uint8_t)(v)) < 0) return NOMEM
#define CODE(var, which, parts, count)               \
    int64_t var = intern(self, which, parts, count); \
    if (var < 0) return NOMEM

/* str.isspace() for one code point (the 29 whitespace characters Python knows). */
static int is_space(uint32_t ch) {
    if (ch < 0x80) return (ch >= 0x09 && ch <= 0x0D) || (ch >= 0x1C && ch <= 0x20);
    return ch == 0x85 || ch == 0xA0 || ch == 0x1680 || (ch >= 0x2000 && ch <= 0x200A) ||
           ch == 0x2028 || ch == 0x2029 || ch == 0x202F || ch == 0x205F || ch == 0x3000;
}

/* text.strip() != '' for valid UTF-8 text. */
static int has_non_space(Str s) {
    const unsigned char *p = (const unsigned char *)s.p, *end = p + s.n;
    while (p < end) {
        uint32_t ch = *p;
        int size = 1;
        if (ch >= 0xF0) {
            ch = ((ch & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
            size = 4;
        } else if (ch >= 0xE0) {
            ch = ((ch & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            size = 3;
        } else if (ch >= 0xC0) {
            ch = ((ch & 0x1F) << 6) | (p[1] & 0x3F);
            size = 2;
        }
        if (!is_space(ch)) return 1;
        p += size;
    }
    return 0;
}

static const Str FALLBACK_INTENT = {"FallbackIntent", 14}, UNKNOWN_MODE = {"Unknown", 7};

/* Append the parsed record as one turn (and its side rows): TurnTableBuilder.add's rules. */
static int commit(Scanner *self, int64_t line_no, int64_t time_ms) {
    Rec *r = &self->rec;
    int64_t turn = self->turns;
    Str top_name = EMPTY, runner_name = EMPTY, source = EMPTY, sentiment = EMPTY;
    double top_conf = NAN, runner_conf = NAN, positive = NAN, negative = NAN;
    char sentiment_upper[64];
    for (Py_ssize_t rank = 0; rank < r->n_interps; rank++) {
        Interp *in = &r->interps[rank];
        CODE(code, T_INTENT, &in->name, 1);
        PUT_I64(C_INTERP_TURN, turn);
        PUT_I64(C_INTERP_RANK, rank);
        PUT_I64(C_INTERP_CODE, code);
        PUT_F64(C_INTERP_CONFIDENCE, in->confidence);
        if (rank == 0) {
            top_name = in->name;
            top_conf = in->confidence;
            source = in->source;
        } else if (rank == 1) {
            runner_name = in->name;
            runner_conf = in->confidence;
        }
        if (sentiment.n == 0 && in->sentiment.n) {
            for (Py_ssize_t i = 0; i < in->sentiment.n; i++) {
                char ch = in->sentiment.p[i];
                sentiment_upper[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
            }
            sentiment.p = sentiment_upper;
            sentiment.n = in->sentiment.n;
            positive = in->positive;
            negative = in->negative;
        }
    }
    Str intent = r->intent_name;
    if (intent.n == 0) intent = top_name.n ? top_name : (r->missed ? FALLBACK_INTENT : EMPTY);
    Str dialog[10] = {r->input_mode.n ? r->input_mode : UNKNOWN_MODE, r->operation, intent,
                      r->intent_state, r->confirmation, r->action_type, r->slot_to_elicit,
                      runner_name, source, sentiment};
    CODE(bot_code, T_BOT, r->bot, 6);
    CODE(dialog_code, T_DIALOG, dialog, 10);
    Str message = EMPTY;
    if (r->n_messages == 1) {
        message = r->messages[0];
    } else if (r->n_messages > 1) {
        Buf *t = &self->text_scratch;
        t->len = 0;
        for (Py_ssize_t i = 0; i < r->n_messages; i++) {
            if (i && buf_append(t, "\n", 1) < 0) return NOMEM;
            if (r->messages[i].n && buf_append(t, r->messages[i].p, r->messages[i].n) < 0)
                return NOMEM;
        }
        message.p = t->data;
        message.n = t->len;
    }
    CODE(message_code, T_MESSAGE, &message, 1);
    CODE(session, T_TEXT, &r->session_id, 0);
    int64_t request = append_text(self, T_TEXT, &r->request_id);  /* one per turn: not interned */
    if (request < 0) return NOMEM;
    CODE(conversation, T_TEXT, &r->conversation_id, 0);
    CODE(transcript, T_TEXT, &r->transcript, 0);
    PUT_I64(C_LINE_NO, line_no);
    PUT_I64(C_TIME_MS, time_ms);
    PUT_I64(C_SESSION, session);
    PUT_I64(C_REQUEST, request);
    PUT_I64(C_CONVERSATION, conversation);
    PUT_I64(C_TRANSCRIPT, transcript);
    PUT_I64(C_BOT, bot_code);
    PUT_I64(C_DIALOG, dialog_code);
    PUT_I64(C_MESSAGE, message_code);
    PUT_F64(C_NLU, top_conf);
    PUT_F64(C_RUNNER_NLU, runner_conf);
    PUT_F64(C_POSITIVE, positive);
    PUT_F64(C_NEGATIVE, negative);
    PUT_U8(C_UTTERANCE, has_non_space(r->transcript));
    PUT_U8(C_MISSED, r->missed);
    for (Py_ssize_t i = 0; i < r->n_slots; i++) {
        SlotRow *row = &r->slots[i];
        Str key[5] = {intent, row->name, row->shape, row->original, row->interpreted};
        CODE(code, T_SLOT, key, 5);
        PUT_I64(C_SLOT_TURN, turn);
        PUT_I64(C_SLOT_CODE, code);
        PUT_I64(C_SLOT_ITEM, row->item);
        PUT_U8(C_SLOT_FILLED, row->filled);
    }
    for (Py_ssize_t i = 0; i < r->n_attrs; i++) {
        CODE(code, T_ATTR, &r->attrs[i].key, 2);
        PUT_I64(C_ATTR_TURN, turn);
        PUT_I64(C_ATTR_CODE, code);
    }
    for (Py_ssize_t i = 0; i < r->n_req_attrs; i++) {
        CODE(code, T_REQ_ATTR, &r->req_attrs[i].key, 2);
        PUT_I64(C_REQ_ATTR_TURN, turn);
        PUT_I64(C_REQ_ATTR_CODE, code);
    }
    self->turns++;
    return 0;
}

static void rec_reset(Rec *r) {
    Interp *interps = r->interps;
    SlotRow *slots = r->slots;
    Pair *attrs = r->attrs, *req_attrs = r->req_attrs;
    Str *messages = r->messages;
    Py_ssize_t ci = r->cap_interps, cs = r->cap_slots, ca = r->cap_attrs, cr = r->cap_req_attrs,
               cm = r->cap_messages;
    memset(r, 0, sizeof *r);
    r->interps = interps; r->cap_interps = ci;
    r->slots = slots; r->cap_slots = cs;
    r->attrs = attrs; r->cap_attrs = ca;
    r->req_attrs = req_attrs; r->cap_req_attrs = cr;
    r->messages = messages; r->cap_messages = cm;
}

/* 1: taken as a turn; 0: for Python; NOMEM. */
/* ---------- envelopes: CloudWatch event lines and export lines ---------- */

/* A CloudWatch event, {"timestamp": ms, "message": "<record JSON>", "logStreamName": ...,
 * "ingestionTime": ..., "eventId": ...}, as ``lexlens pull``, the CloudWatch cache and
 * ``aws logs`` write them: its message (records.unwrap -> decode_message). The event time
 * counts only when the record's own timestamp is unusable, which the fast path never takes,
 * so it is not read. Any other key (a field records.Record would type-check, or one we do
 * not know), a repeated key or a message that is not a string: Python decides. */
static int parse_event(Cur *c, Str *message) {
    static const char *const others[4] = {"timestamp", "logStreamName", "ingestionTime", "eventId"};
    if (open_object(c) < 0) return FAIL;
    Str key;
    unsigned seen = 0;
    int first = 1, more;
    while ((more = next_key(c, &key, &first)) > 0) {
        if (key_is(key, "message")) {
            SEEN(0);
            if (peek(c) != '"' || parse_string(c, message) < 0) return FAIL;
            continue;
        }
        int i;
        for (i = 0; i < 4; i++) if (key_is(key, others[i])) break;
        if (i == 4) return FAIL;
        SEEN(i + 1);
        if (skip_value(c) < 0) return FAIL;
    }
    if (more < 0 || !(seen & 1u)) return FAIL;
    skip_ws(c);
    return c->p == c->end ? 0 : FAIL;
}

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

static int all_digits(const char *p, int n) {
    for (int i = 0; i < n; i++) if (!is_digit(p[i])) return 0;
    return 1;
}

/* A CloudWatch export line, "<ISO time> <record JSON>" (records.EXPORT_LINE:
 * \d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})? then one space and '{'): where the record
 * starts, or NULL. Its time, like an event's, counts only for a record without a usable one. */
static const char *export_record_start(const char *p, const char *end) {
    if (end - p < 12 || !all_digits(p, 4) || p[4] != '-' || !all_digits(p + 5, 2) || p[7] != '-' ||
        !all_digits(p + 8, 2) || p[10] != 'T')
        return NULL;
    const char *q = p + 11, *clock = q;
    while (q < end && (is_digit(*q) || *q == ':' || *q == '.')) q++;
    if (q == clock) return NULL;
    if (q < end && *q == 'Z') {
        q++;
    } else if (q < end && (*q == '+' || *q == '-')) {
        if (end - q < 3 || !all_digits(q + 1, 2)) return NULL;
        q += 3;
        if (q < end && *q == ':') q++;
        if (end - q < 2 || !all_digits(q, 2)) return NULL;
        q += 2;
    }
    return end - q >= 2 && q[0] == ' ' && q[1] == '{' ? q + 1 : NULL;
}

/* The record of [start, end) (a whole line, a message, the rest of an export line) into
 * self->rec, then committed. ``arena``: where its escaped strings may be decoded. */
static int scan_record(Scanner *self, const char *start, const char *end, char *arena, Py_ssize_t arena_cap,
                       int64_t line_no) {
    rec_reset(&self->rec);
    Cur c = {start, end, arena, 0, arena_cap, 0, 0};
    if (parse_record(&c, &self->rec) < 0) return 0;
    int64_t time_ms;
    if (parse_time_ms(self->rec.timestamp, &time_ms) < 0) return 0;
    return commit(self, line_no, time_ms) < 0 ? NOMEM : 1;
}

static int scan_line(Scanner *self, const char *line, Py_ssize_t n, int64_t line_no) {
    if (!valid_utf8((const unsigned char *)line, n)) return 0;
    Py_ssize_t need = 2 * n + 64;
    if (need > self->arena_cap) {
        char *arena = PyMem_RawRealloc(self->arena, need);
        if (!arena) return NOMEM;
        self->arena = arena;
        self->arena_cap = need;
    }
    const char *end = line + n;
    if (n && is_digit(line[0])) {  /* an export line, or nothing the fast path reads */
        const char *record = export_record_start(line, end);
        return record ? scan_record(self, record, end, self->arena, self->arena_cap, line_no) : 0;
    }
    int taken = scan_record(self, line, end, self->arena, self->arena_cap, line_no);
    if (taken) return taken;
    /* a CloudWatch event? Its message is decoded at the arena's start; the record's own
     * escaped strings after it */
    Cur c = {line, end, self->arena, 0, self->arena_cap, 0, 0};
    Str message;
    if (parse_event(&c, &message) < 0) return 0;
    return scan_record(self, message.p, message.p + message.n, self->arena + c.arena_len,
                       self->arena_cap - c.arena_len, line_no);
}

static int is_blank(const char *p, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) {
        char ch = p[i];
        if (!(ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\x0b' || ch == '\x0c'))
            return 0;
    }
    return 1;
}

/* Every line of [data, end), lines ending in separator. NUL bytes before a line are
 * padding (analytics/sources/linereader.py); a line longer than max_line (when > 0) is
 * left to Python, which rejects it. */
static int scan_buffer(Scanner *self, const char *data, const char *end, int64_t line_no,
                       Py_ssize_t max_line, char separator) {
    const char *p = data;
    self->spans_n = 0;
    while (p < end) {
        const char *newline = memchr(p, separator, end - p);
        const char *next = newline ? newline + 1 : end;
        while (p < next && *p == '\0') p++;
        int taken = 0;
        if (max_line > 0 && (newline ? newline : end) - p > max_line) {
            taken = 0;
        } else if (is_blank(p, next - p)) {
            taken = -1;
            self->lines++;
            self->blank++;
        } else {
            taken = scan_line(self, p, next - p, line_no);
            if (taken == NOMEM) return NOMEM;
            if (taken) {
                self->lines++;
                self->fast++;
            }
        }
        if (!taken) {
            GROW(self->spans, self->spans_n, self->spans_cap, Span);
            self->spans[self->spans_n++] = (Span){line_no, p - data, next - data};
            self->fallback++;
        }
        line_no++;
        self->physical++;
        p = next;
    }
    return 0;
}

/* ---------- the GIL line: Python objects from here on ---------- */

static PyObject *Scanner_feed(Scanner *self, PyObject *args) {
    Py_buffer view;
    long long first_line_no;
    Py_ssize_t max_line = 0;
    char separator = '\n';
    if (!PyArg_ParseTuple(args, "y*L|nc", &view, &first_line_no, &max_line, &separator)) return NULL;
    if (self->busy) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_RuntimeError, "Scanner.feed is already running in another thread");
        return NULL;
    }
    self->busy = 1;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = scan_buffer(self, view.buf, (const char *)view.buf + view.len, first_line_no, max_line,
                         separator);
    Py_END_ALLOW_THREADS
    self->busy = 0;
    PyBuffer_Release(&view);
    if (status == NOMEM) return PyErr_NoMemory();
    PyObject *fallback = PyList_New(self->spans_n);
    if (!fallback) return NULL;
    for (Py_ssize_t i = 0; i < self->spans_n; i++) {
        Span *span = &self->spans[i];
        PyObject *item = Py_BuildValue("(Lnn)", (long long)span->line_no, span->start, span->end);
        if (!item) { Py_DECREF(fallback); return NULL; }
        PyList_SET_ITEM(fallback, i, item);
    }
    return fallback;
}

/* The keys of one table in code order: str (plain texts) or tuples of str. */
static PyObject *table_keys(Scanner *self, int which) {
    Table *table = &self->tables[which];
    const int64_t *order = (const int64_t *)self->key_order[which].data;
    PyObject *keys = PyList_New(table->count);
    if (!keys) return NULL;
    int parts = TABLE_PARTS[which];
    for (Py_ssize_t code = 0; code < table->count; code++) {
        const char *key = table->keys.data + order[2 * code];
        Py_ssize_t n = (Py_ssize_t)order[2 * code + 1];
        PyObject *item;
        if (parts == 0) {
            item = PyUnicode_DecodeUTF8(key, n, "strict");
        } else {
            item = PyTuple_New(parts);
            for (int i = 0; item && i < parts; i++) {
                uint32_t len;
                memcpy(&len, key, sizeof len);
                PyObject *text = PyUnicode_DecodeUTF8(key + sizeof len, len, "strict");
                if (!text) { Py_CLEAR(item); break; }
                PyTuple_SET_ITEM(item, i, text);
                key += sizeof len + len;
            }
        }
        if (!item) { Py_DECREF(keys); return NULL; }
        PyList_SET_ITEM(keys, code, item);
    }
    return keys;
}

static int put(PyObject *dict, const char *name, PyObject *value) {
    if (!value) return -1;
    int status = PyDict_SetItemString(dict, name, value);
    Py_DECREF(value);
    return status;
}

static PyObject *Scanner_finish(Scanner *self, PyObject *unused) {
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    for (int i = 0; i < N_COLUMNS; i++) {
        Buf *b = &self->columns[i];
        if (put(d, COLUMN_NAMES[i], PyBytes_FromStringAndSize(b->data ? b->data : "", b->len)) < 0)
            goto error;
    }
    for (int i = 0; i < N_TABLES; i++)
        if (put(d, TABLE_NAMES[i], table_keys(self, i)) < 0) goto error;
    if (put(d, "lines", PyLong_FromSsize_t(self->lines)) < 0 ||
        put(d, "blank", PyLong_FromSsize_t(self->blank)) < 0 ||
        put(d, "fast", PyLong_FromSsize_t(self->fast)) < 0 ||
        put(d, "fallback", PyLong_FromSsize_t(self->fallback)) < 0 ||
        put(d, "physical", PyLong_FromSsize_t(self->physical)) < 0)
        goto error;
    return d;
error:
    Py_DECREF(d);
    return NULL;
}

static void Scanner_dealloc(Scanner *self) {
    for (int i = 0; i < N_COLUMNS; i++) buf_free(&self->columns[i]);
    for (int i = 0; i < N_TABLES; i++) {
        table_free(&self->tables[i]);
        buf_free(&self->key_order[i]);
    }
    buf_free(&self->key_scratch);
    buf_free(&self->text_scratch);
    PyMem_RawFree(self->arena);
    PyMem_RawFree(self->spans);
    PyMem_RawFree(self->rec.interps);
    PyMem_RawFree(self->rec.slots);
    PyMem_RawFree(self->rec.attrs);
    PyMem_RawFree(self->rec.req_attrs);
    PyMem_RawFree(self->rec.messages);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Scanner_methods[] = {
    {"feed", (PyCFunction)Scanner_feed, METH_VARARGS,
     "feed(buffer, first_line_no, max_line=0, separator=b'\\n') -> [(line_no, start, end)] of the "
     "lines left to Python"},
    {"finish", (PyCFunction)Scanner_finish, METH_NOARGS, "finish() -> dict of columns and keys"},
    {NULL, NULL, 0, NULL},
};

static PyObject *Scanner_physical(Scanner *self, void *unused) {
    return PyLong_FromSsize_t(self->physical);
}

static PyGetSetDef Scanner_getset[] = {
    {"physical", (getter)Scanner_physical, NULL, "lines fed so far (blank, read and left)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "lexlens.analytics.ingest._lexscan.Scanner",
    .tp_basicsize = sizeof(Scanner),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Reads canonical Lex V2 JSONL lines into columns; leaves the rest to Python.",
    .tp_new = PyType_GenericNew,
    .tp_dealloc = (destructor)Scanner_dealloc,
    .tp_methods = Scanner_methods,
    .tp_getset = Scanner_getset,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_lexscan",
    "Fast path for reading Lex V2 conversation-log JSONL (see analytics/ingest/native.py).", -1, NULL,
};

PyMODINIT_FUNC PyInit__lexscan(void) {
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!c_locale) return PyErr_NoMemory();
    if (PyType_Ready(&ScannerType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&ScannerType);
    if (PyModule_AddObject(m, "Scanner", (PyObject *)&ScannerType) < 0) {
        Py_DECREF(&ScannerType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
