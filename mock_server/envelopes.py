"""Success envelopes of the Coupang API families (common.yaml → envelopes), built in one place."""

from __future__ import annotations

from typing import Any


def standard(data: Any, code: int | str = 200, message: str = "OK") -> dict[str, Any]:
    """{"code": 200, "message": "OK", "data": …}; some families send code as the string "200"."""
    return {"code": code, "message": message, "data": data}


def with_next_token(data: list[Any], next_token: str | None, code: int | str = 200) -> dict[str, Any]:
    return {"code": code, "message": "OK", "data": data, "nextToken": next_token or ""}


def with_page_index(data: list[Any], next_page_index: int | None) -> dict[str, Any]:
    return {
        "code": 200,
        "message": "OK",
        "data": data,
        "nextPageIndex": str(next_page_index) if next_page_index else "",
    }


def cs_page(content: list[Any], page: int, size: int, total: int) -> dict[str, Any]:
    pages = (total + size - 1) // size if size else 0
    return {
        "code": 200,
        "message": "OK",
        "data": {
            "content": content,
            "pagination": {"currentPage": page, "totalPages": pages, "totalElements": total, "countPerPage": size},
        },
    }


def bulk_response_code(lines: list[dict[str, Any]]) -> int:
    """-1 no line, 0 every line succeeded, 99 none did, 1 some did (shared by every bulk family)."""
    ok = sum(1 for line in lines if line.get("succeed"))
    if not lines:
        return -1
    return 0 if ok == len(lines) else 99 if ok == 0 else 1


def bulk_result(
    response_key: int, lines: list[dict[str, Any]], action: str = "apply instructStatus result"
) -> dict[str, Any]:
    """Bulk status changes: HTTP 200 even when every line failed; responseCode says how it went."""
    code = bulk_response_code(lines)
    text = {-1: "None", 0: "All succeeded.", 99: "All Failed.", 1: "Partial errors."}[code]
    return {
        "code": "200",
        "message": "OK",
        "data": {
            "responseKey": response_key,
            "responseCode": code,
            "responseMessage": f"{action} - {text}",
            "responseList": lines,
        },
    }


def result_code(success: bool, message: str | None) -> dict[str, Any]:
    return {
        "code": "200",
        "message": "OK",
        "data": {"resultCode": "SUCCESS" if success else "FAIL", "resultMessage": message},
    }


def ack(message: str = "OK", code: int | str = "200") -> dict[str, Any]:
    return {"code": code, "message": message}
