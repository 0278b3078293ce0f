"""PostgreSQL's tsquery for the visitor's words, as a tantivy query over the index's lexemes.

PostgreSQL parses the search (`studies_prefix_query`: websearch syntax, stemming, accents,
prefixes, the curators' synonyms), so both backends agree on what the words mean; this module
reads the tsquery's text form and builds the same condition from tantivy queries. Each lexeme
matches through a regex over the positioned `lexemes` field (exactly `@@`'s set) and scores
through BM25 term queries on the weighted fields.

Shapes the index cannot say (a phrase of anything but words and alternatives of words) raise
`Unsupported`, and the caller asks PostgreSQL instead.
"""

import re
import string
from dataclasses import dataclass

import tantivy

from .index import FIELD_BOOSTS, SCHEMA


class Unsupported(Exception):
    """A tsquery this module does not translate."""


@dataclass(frozen=True)
class Lexeme:
    text: str
    prefix: bool


@dataclass(frozen=True)
class Operator:
    name: str  # "&", "|", "!", "<->"
    children: tuple["Node", ...]


type Node = Lexeme | Operator

TOKEN = re.compile(r"\s*(?:'((?:[^']|'')*)'(:\*?[A-D]*)?|(<->|<\d+>|[&|!()]))")
# Binding strength, as PostgreSQL's: ! over <-> over & over |.
PRECEDENCE = {"|": 1, "&": 2, "<->": 3}


def parse(text: str) -> Node | None:
    """The tsquery's text as a tree; None for an empty query (which matches nothing)."""
    tokens: list[str | Lexeme] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            raise Unsupported(text)
        position = match.end()
        if match.group(3):
            operator = match.group(3)
            if operator.startswith("<") and operator != "<->":
                raise Unsupported(text)  # <N>: a distance only `<->` chains produce here
            tokens.append(operator)
        else:
            suffix = match.group(2) or ""
            if any(weight in suffix for weight in "ABCD"):
                raise Unsupported(text)
            lexeme = match.group(1).replace("''", "'").replace("\\\\", "\\")
            tokens.append(Lexeme(lexeme, prefix="*" in suffix))
        # whitespace after the last token is taken by the next match's \s*
        while position < len(text) and text[position].isspace():
            position += 1
    if not tokens:
        return None
    node, rest = _expression(tokens, 0, 1)
    if rest != len(tokens):
        raise Unsupported(text)
    return node


def _expression(tokens: list[str | Lexeme], start: int, minimum: int) -> tuple[Node, int]:
    left, position = _unary(tokens, start)
    while position < len(tokens):
        operator = tokens[position]
        if not isinstance(operator, str) or operator not in PRECEDENCE:
            break
        strength = PRECEDENCE[operator]
        if strength < minimum:
            break
        right, position = _expression(tokens, position + 1, strength + 1)
        children = (
            left.children if isinstance(left, Operator) and left.name == operator else (left,)
        )
        left = Operator(operator, (*children, right))
    return left, position


def _unary(tokens: list[str | Lexeme], position: int) -> tuple[Node, int]:
    if position >= len(tokens):
        raise Unsupported("unexpected end")
    token = tokens[position]
    if isinstance(token, Lexeme):
        return token, position + 1
    if token == "!":
        child, position = _unary(tokens, position + 1)
        return Operator("!", (child,)), position
    if token == "(":
        node, position = _expression(tokens, position + 1, 1)
        if position >= len(tokens) or tokens[position] != ")":
            raise Unsupported("unbalanced parentheses")
        return node, position + 1
    raise Unsupported(str(token))


# tantivy's regex syntax allows any ASCII punctuation escaped but < and >, which it reserves.
_ESCAPED = set(string.punctuation) - {"<", ">"}


def regex_of(lexeme: Lexeme) -> str:
    escaped = "".join(f"\\{c}" if c in _ESCAPED else c for c in lexeme.text)
    return escaped + ".*" if lexeme.prefix else escaped


def lexeme_query(lexeme: Lexeme) -> tantivy.Query:
    """Matches as `@@` would (any lexeme of the document starting with it); scores by BM25 of
    the word itself in each weighted field, title first."""
    if lexeme.prefix:
        matcher = tantivy.Query.regex_query(SCHEMA, "lexemes", regex_of(lexeme))
    else:
        matcher = tantivy.Query.term_query(SCHEMA, "lexemes", lexeme.text)
    scoring = [
        (
            tantivy.Occur.Should,
            tantivy.Query.boost_query(
                tantivy.Query.term_query(SCHEMA, field, lexeme.text, index_option="freq"), boost
            ),
        )
        for field, boost in FIELD_BOOSTS.items()
    ]
    # The matcher's constant score is small: a prefix match alone ranks below a whole word.
    return tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, tantivy.Query.const_score_query(matcher, 0.1)),
            *scoring,
        ]
    )


def phrase_element(node: Node) -> str:
    """One position of a phrase as a regex: a word, or alternatives of words."""
    if isinstance(node, Lexeme):
        return regex_of(node)
    if node.name == "|" and all(isinstance(child, Lexeme) for child in node.children):
        return "(" + "|".join(regex_of(child) for child in node.children) + ")"  # type: ignore[arg-type]
    raise Unsupported("phrase of a phrase")


def to_tantivy(node: Node) -> tantivy.Query:
    if isinstance(node, Lexeme):
        return lexeme_query(node)
    if node.name == "<->":
        words: list[str | tuple[int, str]] = [phrase_element(child) for child in node.children]
        matcher = tantivy.Query.regex_phrase_query(SCHEMA, "lexemes", words)
        # The phrase's words score as words, as PostgreSQL's cover density ranks them.
        scoring = [
            (tantivy.Occur.Should, to_tantivy(child))
            for child in node.children
            if isinstance(child, Lexeme)
        ]
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.const_score_query(matcher, 0.1)), *scoring]
        )
    if node.name == "!":
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, tantivy.Query.const_score_query(tantivy.Query.all_query(), 0)),
                (tantivy.Occur.MustNot, to_tantivy(node.children[0])),
            ]
        )
    if node.name == "&":
        clauses = []
        for child in node.children:
            if isinstance(child, Operator) and child.name == "!":
                clauses.append((tantivy.Occur.MustNot, to_tantivy(child.children[0])))
            else:
                clauses.append((tantivy.Occur.Must, to_tantivy(child)))
        if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, to_tantivy(child)) for child in node.children]
    )
