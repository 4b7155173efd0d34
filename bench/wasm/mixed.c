/* A mixed kernel in the spirit of embedded-processor benchmark suites: every iteration sorts
 * and walks a linked list, multiplies small integer matrices and runs a number-recognising
 * state machine over text, then folds all of it into a CRC-16. */
#include "bench.h"

enum { NODES = 600, DIM = 24, TEXT = 4096, ITERATIONS = 1000 };

/* ---- CRC-16/CCITT, bit by bit: the fold every part's result goes through. ---- */

static uint16_t crc16_byte(uint16_t crc, uint8_t byte) {
    crc ^= (uint16_t)(byte << 8);
    for (int k = 0; k < 8; ++k)
        crc = crc & 0x8000 ? (uint16_t)(crc << 1 ^ 0x1021) : (uint16_t)(crc << 1);
    return crc;
}

static uint16_t crc16_word(uint16_t crc, uint32_t value) {
    for (int k = 0; k < 4; ++k)
        crc = crc16_byte(crc, (uint8_t)(value >> (8 * k)));
    return crc;
}

/* ---- Linked list: build, merge sort by key, reverse, search. ---- */

typedef struct Node {
    struct Node* next;
    int16_t key;
    uint16_t payload;
} Node;

static Node pool[NODES];

static Node* build_list(uint32_t* rng) {
    Node* head = 0;
    for (int i = 0; i < NODES; ++i) {
        uint32_t r = bench_next(rng);
        pool[i].key = (int16_t)(r & 0x3fff) - 0x2000;
        pool[i].payload = (uint16_t)(r >> 16);
        pool[i].next = head;
        head = &pool[i];
    }
    return head;
}

static Node* merge(Node* a, Node* b) {
    Node head;
    Node* tail = &head;
    while (a && b) {
        Node** smaller = a->key <= b->key ? &a : &b;
        tail->next = *smaller;
        tail = *smaller;
        *smaller = (*smaller)->next;
    }
    tail->next = a ? a : b;
    return head.next;
}

static Node* sort_list(Node* list) {
    if (!list || !list->next)
        return list;
    /* Split in halves with a slow and a fast cursor. */
    Node* slow = list;
    for (Node* fast = list->next; fast && fast->next; fast = fast->next->next)
        slow = slow->next;
    Node* second = slow->next;
    slow->next = 0;
    return merge(sort_list(list), sort_list(second));
}

static Node* reverse_list(Node* list) {
    Node* done = 0;
    while (list) {
        Node* next = list->next;
        list->next = done;
        done = list;
        list = next;
    }
    return done;
}

static uint32_t list_kernel(uint32_t* rng) {
    Node* list = sort_list(build_list(rng));
    uint32_t check = 0;
    int16_t previous = -0x7fff;
    for (Node* n = list; n; n = n->next) {
        check += n->key >= previous; /* counts NODES when the sort is right */
        previous = n->key;
    }
    list = reverse_list(list);
    int16_t wanted = (int16_t)(bench_next(rng) & 0x3fff) - 0x2000;
    uint32_t position = 0;
    for (Node* n = list; n; n = n->next, ++position) {
        if (n->key <= wanted) {
            check = check * 7 + position + n->payload;
            break;
        }
    }
    return check;
}

/* ---- Matrices: 16-bit inputs, 32-bit products, then scalar and bit-field passes. ---- */

static int16_t ma[DIM][DIM], mb[DIM][DIM];
static int32_t mc[DIM][DIM];

static uint32_t matrix_kernel(uint32_t* rng) {
    for (int i = 0; i < DIM; ++i)
        for (int j = 0; j < DIM; ++j) {
            ma[i][j] = (int16_t)(bench_next(rng) & 0xfff) - 0x800;
            mb[i][j] = (int16_t)(bench_next(rng) & 0xfff) - 0x800;
        }
    for (int i = 0; i < DIM; ++i)
        for (int j = 0; j < DIM; ++j) {
            int32_t sum = 0;
            for (int k = 0; k < DIM; ++k)
                sum += ma[i][k] * mb[k][j];
            mc[i][j] = sum;
        }
    uint32_t check = 0;
    for (int i = 0; i < DIM; ++i)
        for (int j = 0; j < DIM; ++j) {
            int32_t v = mc[i][j] + ma[i][j] * 3;
            check += (uint32_t)(v >> 4 & 0x3ff) ^ (uint32_t)v << 3;
        }
    return check;
}

/* ---- State machine: classify the tokens of a text as integers, decimals, hex or junk. ---- */

typedef enum { START, SIGN, INT, ZERO, HEX, POINT, FRACTION, EXPONENT, EXP_DIGITS, JUNK } State;

static char text[TEXT];

static void make_text(uint32_t* rng) {
    static const char alphabet[] = "0123456789+-.eExX ,abz";
    for (int i = 0; i < TEXT; ++i)
        text[i] = alphabet[bench_next(rng) % (sizeof alphabet - 1)];
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

static State step(State s, char c) {
    switch (s) {
    case START:
        if (c == '+' || c == '-')
            return SIGN;
        if (c == '0')
            return ZERO;
        return is_digit(c) ? INT : c == '.' ? POINT : JUNK;
    case SIGN:
        return c == '0' ? ZERO : is_digit(c) ? INT : c == '.' ? POINT : JUNK;
    case ZERO:
        if (c == 'x' || c == 'X')
            return HEX;
        /* fall through: after a leading zero the rules are those of any integer */
    case INT:
        return is_digit(c) ? INT : c == '.' ? FRACTION : c == 'e' || c == 'E' ? EXPONENT : JUNK;
    case HEX:
        return is_hex(c) ? HEX : JUNK;
    case POINT:
        return is_digit(c) ? FRACTION : JUNK;
    case FRACTION:
        return is_digit(c) ? FRACTION : c == 'e' || c == 'E' ? EXPONENT : JUNK;
    case EXPONENT:
        return is_digit(c) || c == '+' || c == '-' ? EXP_DIGITS : JUNK;
    case EXP_DIGITS:
        return is_digit(c) ? EXP_DIGITS : JUNK;
    case JUNK:
        return JUNK;
    }
    return JUNK;
}

static uint32_t state_kernel(uint32_t* rng) {
    uint32_t final_counts[JUNK + 1] = {0};
    uint32_t transitions = 0;
    State s = START;
    for (int i = 0; i < TEXT; ++i) {
        char c = text[i];
        if (c == ' ' || c == ',') {
            ++final_counts[s];
            s = START;
            continue;
        }
        State next = step(s, c);
        transitions += next != s;
        s = next;
    }
    ++final_counts[s];
    /* Change a few characters so the next iteration sees new text. */
    for (int k = 0; k < 8; ++k)
        text[bench_next(rng) % TEXT] = (char)('0' + k);
    uint32_t check = transitions;
    for (int i = 0; i <= JUNK; ++i)
        check = check * 13 + final_counts[i];
    return check;
}

uint32_t bench_run(void) {
    uint32_t rng = bench_seed();
    make_text(&rng);
    uint16_t crc = 0xffff;
    for (int iteration = 0; iteration < ITERATIONS; ++iteration) {
        crc = crc16_word(crc, list_kernel(&rng));
        crc = crc16_word(crc, matrix_kernel(&rng));
        crc = crc16_word(crc, state_kernel(&rng));
    }
    return crc;
}
