#!/usr/bin/env python3
"""Builds a leaked dump from a state directory's registries, as a leak taken
on day T would look (tests/e2e/test_leakscan.c, bench/leakscan.sh).

  leak_dump.py STATE OUT --as-of T [--rows N] [--fabricated N] [--bad-check N]
               [--encoding cp1251] [--delimiter ';'] [--extra FILE.jsonl]

Each ID card issued by T gives a row with the address its holder had on T
(the registries' history says which), so the row is "real" when the address
is still theirs and "outdated" when they have moved since. Fabricated rows
carry RNOKPPs with valid check digits that no one holds, and ones whose
check digit is wrong. Every row has a password column, which the platform
never held. --extra adds the records of a JSON Lines file (`hromada canary
plant --out`). Prints the expected counts as JSON on stdout.
"""
import argparse, json, random, sqlite3, sys

def rnokpp_check(d9):
    w = [-1, 5, 7, 9, 4, 6, 10, 5, 7]
    return (sum(int(c) * k for c, k in zip(d9, w)) % 11) % 10

def dotted(date):
    y, m, d = date.split('-')
    return f'{d}.{m}.{y}'

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('state'); ap.add_argument('out')
    ap.add_argument('--as-of', required=True)
    ap.add_argument('--rows', type=int, default=10**9)
    ap.add_argument('--fabricated', type=int, default=100)
    ap.add_argument('--bad-check', type=int, default=100)
    ap.add_argument('--encoding', default='cp1251')
    ap.add_argument('--delimiter', default=';')
    ap.add_argument('--extra')
    ap.add_argument('--repeat-to', type=int, default=0,
                    help='repeat rows (as leaks repeat people) until there are this many')
    a = ap.parse_args()
    rnd = random.Random(7)
    db = sqlite3.connect(f'{a.state}/UA/registry-id_card/registry.db')
    history = {}
    for number, start, end, fields in db.execute(
            'SELECT document_number, valid_from, valid_to, fields FROM document_history'):
        history.setdefault(number, []).append((start, end, json.loads(fields)['address']))
    known = set()
    rows, kinds, want = [], [], {'real': 0, 'outdated': 0, 'fabricated': 0}
    for person, number, fields in db.execute(
            'SELECT person, document_number, fields FROM documents'):
        known.add(person)
        if len(rows) >= a.rows:
            continue
        f = json.loads(fields)
        if f['issue_date'] > a.as_of:
            continue
        address, kind = f['address'], 'real'
        for start, end, old in history.get(number, []):
            if start <= a.as_of < end:
                address, kind = old, 'outdated'
        want[kind] += 1
        kinds.append(kind)
        rows.append([person[3:], f['family_name'], f['given_name'], f.get('patronymic', ''),
                     dotted(f['birth_date']), number, address])
    for n, valid in ((a.fabricated, True), (a.bad_check, False)):
        made = 0
        while made < n:
            d9 = str(rnd.randrange(10**8, 10**9))
            c = rnokpp_check(d9)
            if not valid:
                c = (c + 1 + rnd.randrange(9)) % 10
            rid = d9 + str(c)
            if 'UA:' + rid in known:
                continue
            rows.append([rid, 'Коваленко', 'Андрій', 'Петрович', '12.03.1981', '',
                         'Київська обл., м. Бровари, вул. Лісова, буд. 3'])
            want['fabricated'] += 1
            kinds.append('fabricated')
            made += 1
    canaries = 0
    if a.extra:
        for line in open(a.extra, encoding='utf-8'):
            f = json.loads(line)
            if not f.get('person_id', '').startswith('UA:'):
                continue
            kinds.append('canary')
            rows.append([f['person_id'][3:], f.get('family_name', ''), f.get('given_name', ''),
                         f.get('patronymic', ''), dotted(f['birth_date']) if 'birth_date' in f else '',
                         '', f.get('address', '')])
            canaries += 1
    base = len(rows)
    while a.repeat_to and len(rows) < a.repeat_to and base:
        # a repeated row is what it was the first time
        k = rnd.randrange(base)
        rows.append(rows[k])
        if kinds[k] in want:
            want[kinds[k]] += 1
    if a.repeat_to and len(rows) > base:
        want['repeated'] = len(rows) - base
    rnd.shuffle(rows)
    with open(a.out, 'w', encoding=a.encoding, newline='') as w:
        head = ['РНОКПП', 'Прізвище', "Ім'я", 'По батькові', 'Дата народження',
                'Номер документа', 'Адреса', 'Пароль']
        w.write(a.delimiter.join(head) + '\r\n')
        for r in rows:
            r = r + ['$2y$10$' + ''.join(rnd.choice('abcdefghijklmnopqrstuvwxyz0123456789')
                                         for _ in range(22))]
            w.write(a.delimiter.join('"' + x.replace('"', '""') + '"' for x in r) + '\r\n')
    want['rows'] = len(rows)
    want['canaries'] = canaries
    json.dump(want, sys.stdout)
    print()

if __name__ == '__main__':
    main()
