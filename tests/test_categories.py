"""The display-category tree, metas and the recommender through the HTTP API (categories.yaml)."""

from __future__ import annotations

from typing import Any

import pytest

from coupang_mock.server.domains import categories
from tests.test_products_support import META, Seller

PREDICT = "/v2/providers/openapi/apis/api/v1/categorization/predict"
DISPLAY = f"{META}/display-categories"
METAS = f"{META}/category-related-metas/display-category-codes"


@pytest.fixture
def seller(server: Any, client: Any) -> Seller:
    return Seller(server.base_url, client)


def _walk(node: dict[str, Any], depth: int = 0) -> list[tuple[dict[str, Any], int]]:
    found = [(node, depth)]
    for child in node["child"]:
        found += _walk(child, depth + 1)
    return found


def test_the_whole_tree_in_one_answer(seller: Seller) -> None:
    answer = seller.ok("GET", DISPLAY)
    assert answer["code"] == "SUCCESS" and answer["message"] == ""
    root = answer["data"]
    assert (root["displayItemCategoryCode"], root["name"], root["status"]) == (0, "ROOT", "ACTIVE")
    nodes = _walk(root)
    assert len(nodes) - 1 >= 300
    assert max(depth for _, depth in nodes) == 6
    codes = [n["displayItemCategoryCode"] for n, _ in nodes]
    assert len(codes) == len(set(codes))
    names = {n["name"] for n, depth in nodes if depth == 1}
    assert {"패션의류잡화", "뷰티", "식품", "가전디지털", "도서", "출산/유아동"} <= names


def test_rocket_growth_listing_leaves_out_fresh_food(seller: Seller) -> None:
    rfm = {n["name"] for n, _ in _walk(seller.ok("GET", DISPLAY, registrationType="RFM")["data"])}
    assert "사과" not in rfm and "과자" in rfm


def test_get_returns_one_level(seller: Seller) -> None:
    fashion = categories.ROOT.children[0]
    data = seller.ok("GET", f"{DISPLAY}/{fashion.code}")["data"]
    assert data["displayItemCategoryCode"] == fashion.code and data["name"] == "패션의류잡화"
    assert [c["name"] for c in data["child"]] == [c.name for c in fashion.children]
    assert all(c["child"] == [] for c in data["child"])
    root = seller.ok("GET", f"{DISPLAY}/0")["data"]
    assert len(root["child"]) == len(categories.ROOT.children)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (f"{DISPLAY}/99999999", "전시카테고리[99999999]를 찾을 수 없습니다. 전시카테고리코드를 확인해 주세요."),
        (f"{DISPLAY}/abc", "노출카테고리코드는 숫자형으로 입력해주세요."),
        (f"{DISPLAY}/abc/status", "노출카테고리코드는 숫자형으로 입력해주세요."),
        (f"{DISPLAY}/99999999/status", "전시카테고리[99999999]를 찾을 수 없습니다. 전시카테고리코드를 확인해 주세요."),
        (f"{METAS}/abc", "전시카테고리코드는 숫자형으로 입력해주세요."),
        (
            f"{METAS}/{categories.ROOT.children[0].code}",
            "관리카테고리를 찾을 수 없는 노출카테고리코드 입니다. 담당MD에게 확인하고 유효한 노출카테고리를 입력해주세요.",
        ),
        (
            f"{METAS}/99999999",
            "관리카테고리를 찾을 수 없는 노출카테고리코드 입니다. 담당MD에게 확인하고 유효한 노출카테고리를 입력해주세요.",
        ),
    ],
)
def test_category_refusals_are_verbatim(seller: Seller, path: str, message: str) -> None:
    answer = seller.call("GET", path)
    assert answer.status == 400
    assert answer.body == {"code": "ERROR", "message": message, "data": None}


def test_status_is_true_for_active_leaves_false_for_ready_ones(seller: Seller) -> None:
    apple = categories.leaf_by_name("사과")
    tyre = categories.leaf_by_name("타이어")
    assert seller.ok("GET", f"{DISPLAY}/{apple.code}/status")["data"] is True
    assert seller.ok("GET", f"{DISPLAY}/{tyre.code}/status")["data"] is False


def test_status_of_a_branch_lists_its_leaves(seller: Seller) -> None:
    node = categories.leaf_by_name("라운드넥 반팔 티셔츠").parent
    assert node is not None
    answer = seller.call("GET", f"{DISPLAY}/{node.code}/status")
    leaves = ",".join(str(leaf.code) for leaf in node.leaves())
    assert answer.status == 400
    assert answer.message == (
        f"노출카테고리 {node.code}은 leaf category code가 아닙니다. 해당 노출카테고리의 leaf category id는 {leaves} 입니다."
    )


def test_every_leaf_has_a_consistent_meta() -> None:
    for leaf in categories.ROOT.leaves():
        meta = categories.metas(leaf)
        assert meta["noticeCategories"] and meta["allowedOfferConditions"] and meta["certifications"]
        for group in meta["noticeCategories"]:
            assert any(d["required"] == "MANDATORY" for d in group["noticeCategoryDetailNames"])
        for attribute in meta["attributes"]:
            assert attribute["inputType"] in ("SELECT", "INPUT")
            assert attribute["required"] in ("MANDATORY", "OPTIONAL") and attribute["exposed"] in ("EXPOSED", "NONE")
            if attribute["inputType"] == "SELECT":
                assert attribute["inputValues"]
            if attribute["dataType"] == "NUMBER":
                assert attribute["usableUnits"]


@pytest.mark.parametrize(
    ("leaf", "attribute", "shape"),
    [
        (
            "스킨/토너",
            "개당 용량",
            {"groupNumber": "1", "required": "MANDATORY", "dataType": "NUMBER", "inputType": "INPUT"},
        ),
        ("밴드형 기저귀", "기저귀 단계", {"inputType": "SELECT", "required": "MANDATORY", "groupNumber": "NONE"}),
        ("라운드넥 반팔 티셔츠", "성별", {"exposed": "NONE", "inputType": "SELECT"}),
        ("자급제폰", "저장용량", {"usableUnits": ["GB", "TB"], "required": "MANDATORY"}),
    ],
)
def test_metas_over_http(seller: Seller, leaf: str, attribute: str, shape: dict[str, Any]) -> None:
    data = seller.ok("GET", f"{METAS}/{categories.leaf_by_name(leaf).code}")["data"]
    row = next(a for a in data["attributes"] if a["attributeTypeName"] == attribute)
    assert shape.items() <= row.items()
    assert {"templateName": "수입신고필증(병행수입 선택시)", "required": "MANDATORY_PARALLEL_IMPORTED"} in data[
        "requiredDocumentNames"
    ]


@pytest.mark.parametrize(
    ("name", "leaf"),
    [
        ("코데즈컴바인 남성 긴팔 맨투맨 티셔츠 그린 95", "남성 긴팔 티셔츠"),
        ("하기스 네이처메이드 밴드형 기저귀 4단계", "밴드형 기저귀"),
        ("제주 삼다수 생수 2L 12병", "생수"),
        ("삼성 갤럭시 S24 자급제 256GB", "자급제폰"),
        ("[유한양행] 유한젠 가루세제 세탁세제 1kg", "세탁세제"),
        ("다이슨 무선청소기 V15", "무선청소기"),
    ],
)
def test_predict_is_deterministic_keyword_matching(seller: Seller, name: str, leaf: str) -> None:
    answer = seller.ok("POST", PREDICT, {"productName": name})
    assert answer["code"] == 200 and answer["message"] == "OK"
    assert answer["data"] == {
        "autoCategorizationPredictionResultType": "SUCCESS",
        "predictedCategoryId": str(categories.leaf_by_name(leaf).code),
        "predictedCategoryName": leaf,
        "comment": None,
    }


@pytest.mark.parametrize(("name", "outcome"), [("바나나우유", "INSUFFICIENT_INFORMATION"), ("xyz qwerty", "FAILURE")])
def test_predict_without_a_match(seller: Seller, name: str, outcome: str) -> None:
    data = seller.ok("POST", PREDICT, {"productName": name})["data"]
    assert data["autoCategorizationPredictionResultType"] == outcome and data["predictedCategoryId"] is None


@pytest.mark.parametrize("body", [{}, {"productName": ""}, {"productName": "   "}])
def test_predict_needs_a_name(seller: Seller, body: dict[str, Any]) -> None:
    answer = seller.call("POST", PREDICT, body)
    assert answer.status == 400 and answer.body == {"code": 400, "message": "Input product name should not be empty!"}


def test_auto_category_agreement_is_false_until_set(seller: Seller) -> None:
    path = f"{META.rsplit('/meta', 1)[0]}/vendors/{seller.vendor_id}/check-auto-category-agreed"
    assert seller.ok("GET", path) == {"code": "SUCCESS", "message": "", "data": False}
    changed = seller.control("PUT", f"/vendors/{seller.vendor_id}/catalog/settings", {"autoCategoryAgreed": True})
    assert changed.status == 200 and changed.body["autoCategoryAgreed"] is True
    assert seller.ok("GET", path)["data"] is True
