"""The display-category tree (read-only package data) and the rules products validate against.

The tree is expanded once, at import, from `categories_data.TREE`; codes follow outline order, so
they are stable for a given data file. Everything here is pure: no store, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import ApiError
from . import categories_data as data

ROOT_CODE = 0
FIRST_CODE = 56100  # Coupang's display codes are 5-digit numbers in this range
CODE_STEP = 3
STATUSES = ("ACTIVE", "READY", "DISABLED")
EXPIRY_PROFILES = {"food", "fresh", "beverage", "health", "baby_food", "cosmetics"}

# verbatim texts (categories.yaml → errors)
NOT_NUMERIC_DISPLAY = "노출카테고리코드는 숫자형으로 입력해주세요."
NOT_NUMERIC_EXHIBIT = "전시카테고리코드는 숫자형으로 입력해주세요."
NO_MANAGEMENT_CATEGORY = (
    "관리카테고리를 찾을 수 없는 노출카테고리코드 입니다. 담당MD에게 확인하고 유효한 노출카테고리를 입력해주세요."
)
EMPTY_PRODUCT_NAME = "Input product name should not be empty!"
# x-inferred: the comment Coupang's predictor gives when nothing matches is undocumented
INSUFFICIENT_COMMENT = "상품명에 카테고리를 판단할 수 있는 정보가 부족합니다."
NO_MATCH_COMMENT = "추천할 수 있는 카테고리가 없습니다."
_TOKEN_SPLIT = re.compile(r"[\s/(),·]+")


@dataclass
class Category:
    code: int
    name: str
    status: str
    profile: str
    depth: int
    parent: Category | None = field(default=None, repr=False)
    children: list[Category] = field(default_factory=list, repr=False)
    keywords: tuple[str, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def category_id(self) -> int:
        """Internal management category id (categoryId in product responses), derived from the code."""
        return 2000 + (self.code - FIRST_CODE) // CODE_STEP

    def path(self) -> list[Category]:
        node: Category | None = self
        chain: list[Category] = []
        while node is not None and node.code != ROOT_CODE:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def leaves(self) -> Iterator[Category]:
        if self.is_leaf:
            yield self
        for child in self.children:
            yield from child.leaves()


def _parse_line(line: str) -> tuple[str, str | None, str, tuple[str, ...]]:
    """`name @profile !STATUS ~kw kw` → (name, profile, status, keywords)."""
    head, _, keywords = line.partition("~")
    words = head.split()
    name = " ".join(w for w in words if w[0] not in "@!")
    profile = next((w[1:] for w in words if w.startswith("@")), None)
    status = next((w[1:] for w in words if w.startswith("!")), "ACTIVE")
    if status not in STATUSES:
        raise ValueError(f"category {name}: unknown status {status}")
    return name, profile, status, tuple(keywords.split())


def _build() -> tuple[Category, dict[int, Category]]:
    root = Category(ROOT_CODE, "ROOT", "ACTIVE", "general", 0)
    index = {ROOT_CODE: root}
    stack = [root]
    for number, line in enumerate((ln for ln in data.TREE.splitlines() if ln.strip()), start=0):
        depth = len(line) - len(line.lstrip(" ")) + 1
        name, profile, status, keywords = _parse_line(line.strip())
        while len(stack) > depth:
            stack.pop()
        parent = stack[-1]
        inherited = profile or parent.profile
        if inherited not in data.PROFILES:
            raise ValueError(f"category {name}: unknown profile {inherited}")
        node = Category(FIRST_CODE + CODE_STEP * number, name, status, inherited, depth, parent, keywords=keywords)
        parent.children.append(node)
        index[node.code] = node
        stack.append(node)
    return root, index


ROOT, INDEX = _build()
MAX_DEPTH = max(node.depth for node in INDEX.values())


# ---------------------------------------------------------------- lookups


def parse_code(raw: Any, message: str = NOT_NUMERIC_DISPLAY) -> int:
    text = str(raw).strip()
    if not re.fullmatch(r"-?\d{1,18}", text):
        raise ApiError(400, message, code="ERROR", extra={"data": None})
    return int(text)


def find(code: Any) -> Category | None:
    try:
        return INDEX.get(int(code))
    except (TypeError, ValueError):
        return None


def usable_leaf(code: Any) -> Category | None:
    """A category a product may be registered on: an ACTIVE leaf."""
    node = find(code)
    return node if node is not None and node.is_leaf and node.status == "ACTIVE" and node.code != ROOT_CODE else None


def leaf_by_name(name: str) -> Category:
    return next(node for node in ROOT.leaves() if node.name == name)


def not_found(code: Any) -> ApiError:
    return ApiError(
        400,
        f"전시카테고리[{code}]를 찾을 수 없습니다. 전시카테고리코드를 확인해 주세요.",
        code="ERROR",
        extra={"data": None},
    )


def not_leaf(node: Category) -> ApiError:
    leaves = ",".join(str(leaf.code) for leaf in node.leaves())
    return ApiError(
        400,
        f"노출카테고리 {node.code}은 leaf category code가 아닙니다. 해당 노출카테고리의 leaf category id는 {leaves} 입니다.",
        code="ERROR",
        extra={"data": None},
    )


# ---------------------------------------------------------------- rendering


def render_tree(
    node: Category, rocket_growth_only: bool = False, key: str = "displayItemCategoryCode"
) -> dict[str, Any]:
    """The subtree; the code key is displayItemCategoryCode like every current example (spec)."""
    children = [c for c in node.children if not rocket_growth_only or _rocket_growth(c)]
    return {
        key: node.code,
        "name": node.name,
        "status": node.status,
        "child": [render_tree(c, rocket_growth_only, key) for c in children],
    }


def render_one_level(node: Category) -> dict[str, Any]:
    """get-display-category: the node and its direct children (not expanded), example key spelling."""
    key = "displayItemCategoryCode"
    return {
        key: node.code,
        "name": node.name,
        "status": node.status,
        "child": [{key: c.code, "name": c.name, "status": c.status, "child": []} for c in node.children],
    }


def _rocket_growth(node: Category) -> bool:
    return bool(data.PROFILES[node.profile].get("rocketGrowth", True))


def profile(node: Category) -> dict[str, Any]:
    return data.PROFILES[node.profile]


def metas(node: Category) -> dict[str, Any]:
    recipe = profile(node)
    return {
        "isAllowSingleItem": recipe["singleItem"],
        "attributes": [dict(a) for a in recipe["attributes"]],
        "noticeCategories": [notice_group(name) for name in recipe["notices"]],
        "requiredDocumentNames": [*data.BASE_DOCUMENTS, *recipe.get("documents", [])],
        "certifications": [dict(c) for c in recipe["certifications"]],
        "allowedOfferConditions": list(recipe["offerConditions"]),
        "isExpirationDateRequiredForRocketGrowth": node.profile in EXPIRY_PROFILES,
    }


def notice_group(name: str) -> dict[str, Any]:
    return {
        "noticeCategoryName": name,
        "noticeCategoryDetailNames": [
            {"noticeCategoryDetailName": d.lstrip("?"), "required": "OPTIONAL" if d.startswith("?") else "MANDATORY"}
            for d in data.NOTICE_GROUPS[name]
        ],
    }


def allows_charge_received(node: Category) -> bool:
    """착불 (CHARGE_RECEIVED) only in designated categories: bulky goods here (x-inferred)."""
    return bool(profile(node).get("chargeReceived"))


# ---------------------------------------------------------------- prediction


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN_SPLIT.split(text) if len(t) >= 2]


def _score(leaf: Category, text: str) -> int:
    """Keyword hits weigh most, then the leaf's own name tokens, then its ancestors' (longer = more specific)."""
    score = sum(3 + len(k) for k in {k.lower() for k in leaf.keywords if len(k) >= 2} if k in text)
    score += sum(2 + len(t) for t in set(_tokens(leaf.name)) if t in text)
    for ancestor in leaf.path()[:-1]:
        score += sum(1 for t in set(_tokens(ancestor.name)) if t in text)
    return score


def predict(product_name: str, extra_text: str = "") -> dict[str, Any]:
    """Deterministic stand-in for Coupang's ML recommender: best keyword/token overlap, ties by code.

    Fewer than two meaningful words in the name → INSUFFICIENT_INFORMATION; no match → FAILURE
    (spec x-inferred).
    """
    if len(_tokens(product_name)) < 2:
        return _no_prediction("INSUFFICIENT_INFORMATION", INSUFFICIENT_COMMENT)
    text = f"{product_name} {extra_text}".lower()
    best: tuple[int, int] | None = None
    chosen: Category | None = None
    for leaf in ROOT.leaves():
        if leaf.status != "ACTIVE" or leaf.code == ROOT_CODE:
            continue
        score = _score(leaf, text)
        if score and (best is None or (score, -leaf.code) > best):
            best, chosen = (score, -leaf.code), leaf
    if chosen is None:
        return _no_prediction("FAILURE", NO_MATCH_COMMENT)
    return {
        "autoCategorizationPredictionResultType": "SUCCESS",
        "predictedCategoryId": str(chosen.code),
        "predictedCategoryName": chosen.name,
        "comment": None,
    }


def _no_prediction(outcome: str, comment: str) -> dict[str, Any]:
    return {
        "autoCategorizationPredictionResultType": outcome,
        "predictedCategoryId": None,
        "predictedCategoryName": None,
        "comment": comment,
    }


def fallback_leaf() -> Category:
    """Where auto-matching puts a product it cannot place (x-inferred): 기타 > 기타 재화."""
    return leaf_by_name("기타 재화")
