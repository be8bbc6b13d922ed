"""Mine the real-report corpus for measure words that follow numbers but are not yet units.

    python -m scripts.mine_measure_words [MIN_COUNT]

Reads every report of ../shared/corpus, finds each number (loaders.numbers) that no known unit follows,
and counts the one- and two-character words right after a number written in digits (words after
Chinese numerals are mostly idioms: 一步, 一些). Prints the most frequent with an example, for
a person to curate into seeds/reference/units.csv (a measure word) or leave out (a noun, a year, a verb).
"""

from __future__ import annotations

import re
import sys
from collections import Counter

from loaders.numbers import find_numbers
from loaders.read import read_report
from loaders.vocab import load_vocabulary, match_at
from tests.corpus import CORPUS, corpus_rows

_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{1,2}")


def main() -> None:
    min_count = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    vocab = load_vocabulary()
    words: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for row in corpus_rows():
        text = read_report(CORPUS / row["file"]).normalized
        for number in find_numbers(text, [u for u in vocab.units if u[0] in "千百万亿十"]):
            if number.numeral_kind != "arabic" or match_at(text, number.end, vocab.units):
                continue
            match = _CJK_WORD.match(text, number.end)
            if match:
                for word in {match.group()[:1], match.group()}:
                    words[word] += 1
                    examples.setdefault(word, text[max(0, number.start - 8) : match.end() + 4])
    for word, count in words.most_common():
        if count >= min_count:
            print(f"{count:6} {word}\t{examples[word]}")


if __name__ == "__main__":
    main()
