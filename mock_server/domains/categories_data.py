"""The seeded display-category tree and the category metas, as compact hand-written data.

`TREE` is an indented outline (one space per depth below ROOT): `name @profile !STATUS ~keywords`.
A profile is inherited by the whole subtree and names the meta every leaf below it gets (notice
groups, attributes, certifications, documents, offer conditions). Codes are assigned in outline
order at import (`categories.py`), so the same data always yields the same codes.

The meta contents follow Coupang's published shapes (categories.yaml → get-category-related-metas):
notice groups use the legal 고시정보 item names; attributes use the real option names (수량,
개당 용량/개당 중량 as a groupNumber 1 one-of, 사이즈, 색상, 기저귀 단계 …).
"""

from __future__ import annotations

from typing import Any

TREE = """
패션의류잡화 @clothing
 여성패션
  여성의류
   티셔츠 ~티 tee
    반팔 티셔츠 ~반팔티 반팔
     라운드넥 반팔 티셔츠 ~라운드
     브이넥 반팔 티셔츠 ~브이넥
    긴팔 티셔츠 ~긴팔티 긴팔
    민소매 티셔츠 ~나시 민소매
   블라우스/셔츠 ~블라우스 셔츠
   원피스 ~원피스 드레스
   니트/스웨터 ~니트 스웨터
   맨투맨/후드티 ~맨투맨 후드
   바지 ~팬츠 슬랙스
    청바지 ~청바지 데님 진
    슬랙스 ~슬랙스
    레깅스 ~레깅스
   스커트 ~치마 스커트
   아우터
    코트 ~코트
    패딩 ~패딩 다운
    자켓 ~자켓 재킷
    가디건 ~가디건
  여성 속옷/잠옷
   브래지어 ~브라
   여성 팬티 ~팬티
   여성 잠옷 ~잠옷 파자마
  여성화 @shoes
   운동화 ~운동화 스니커즈
   구두 ~구두 펌프스 힐
   샌들 ~샌들
   부츠 ~부츠
   슬리퍼 ~슬리퍼
  여성 가방 @bags
   숄더백 ~숄더백
   토트백 ~토트백
   크로스백 ~크로스백
   백팩 ~백팩 배낭
   클러치 ~클러치
 남성패션
  남성의류
   남성 티셔츠 ~티셔츠 티
    남성 반팔 티셔츠 ~반팔
    남성 긴팔 티셔츠 ~긴팔
   남성 맨투맨 ~맨투맨
   남성 후드티 ~후드 후드티
   남성 셔츠 ~셔츠 와이셔츠
   남성 니트 ~니트 스웨터
   남성 바지
    남성 청바지 ~청바지 데님 진
    남성 슬랙스 ~슬랙스 정장바지
    남성 반바지 ~반바지
   남성 아우터
    남성 코트 ~코트
    남성 패딩 ~패딩 다운
    남성 자켓 ~자켓 재킷
  남성 속옷/잠옷
   남성 팬티 ~드로즈 트렁크
   남성 런닝 ~런닝 러닝셔츠
  남성화 @shoes
   남성 운동화 ~운동화 스니커즈
   남성 구두 ~구두 로퍼
   남성 샌들/슬리퍼 ~샌들 슬리퍼
  남성 가방 @bags
   서류가방 ~서류가방 브리프케이스
   남성 백팩 ~백팩
 유니섹스/공용 의류
  트레이닝복 ~트레이닝 츄리닝
  커플룩 ~커플
 패션잡화 @accessories
  모자 ~모자 캡 버킷햇
  양말 ~양말 삭스
  벨트 ~벨트
  장갑 ~장갑
  스카프/머플러 ~스카프 머플러 목도리
  선글라스 ~선글라스
  지갑 ~지갑
 주얼리 @accessories
  목걸이 ~목걸이
  귀걸이 ~귀걸이
  반지 ~반지
  팔찌 ~팔찌
 시계 @accessories
  손목시계 ~시계 손목시계
  스마트워치 스트랩 ~스트랩 밴드
뷰티 @cosmetics
 스킨케어
  스킨/토너 ~스킨 토너
  로션/에멀젼 ~로션 에멀젼
  에센스/세럼/앰플 ~에센스 세럼 앰플
  크림 ~크림 수분크림
  아이크림 ~아이크림
  마스크/팩
   시트마스크 ~마스크팩 시트
   워시오프팩 ~워시오프
 클렌징
  클렌징폼 ~클렌징폼 폼클렌징
  클렌징오일 ~클렌징오일
  클렌징워터 ~클렌징워터
 선케어 ~선크림 자외선 선블록
 메이크업
  베이스메이크업
   쿠션 ~쿠션팩트 쿠션
   파운데이션 ~파운데이션
   프라이머 ~프라이머
  립메이크업
   립스틱 ~립스틱
   립틴트 ~틴트
   립밤 ~립밤
  아이메이크업
   아이섀도 ~섀도
   마스카라 ~마스카라
   아이라이너 ~아이라이너
 헤어
  샴푸 ~샴푸
  린스/컨디셔너 ~린스 컨디셔너
  트리트먼트 ~트리트먼트 헤어팩
  염색약 ~염색 염색약
 바디
  바디워시 ~바디워시 샤워젤
  바디로션 ~바디로션
  핸드크림 ~핸드크림
 향수 ~향수 퍼퓸
 남성화장품 ~남성 올인원
식품 @food
 과자/초콜릿/시리얼
  과자 ~과자 스낵
  초콜릿 ~초콜릿
  시리얼 ~시리얼 그래놀라
  젤리/사탕 ~젤리 사탕 캔디
 라면/면류
  봉지라면 ~라면
  컵라면 ~컵라면
  파스타면 ~파스타 스파게티
 가공식품
  통조림 ~참치 통조림 캔
  즉석밥 ~햇반 즉석밥
  레토르트 ~카레 짜장 레토르트
  냉동식품 ~냉동 만두 피자
 장류/양념
  고추장 ~고추장
  된장 ~된장
  간장 ~간장
  식용유 ~식용유 올리브유
 신선식품 @fresh
  과일
   사과 ~사과
   배 ~배
   감귤/오렌지 ~귤 감귤 오렌지 한라봉
   딸기 ~딸기
   포도 ~포도 샤인머스캣
  채소
   양파/마늘 ~양파 마늘
   감자/고구마 ~감자 고구마
   쌈채소 ~상추 깻잎 쌈
  쌀/잡곡
   쌀 ~쌀 백미
   현미/잡곡 ~현미 잡곡 찹쌀
  정육/계란
   소고기 ~한우 소고기
   돼지고기 ~돼지고기 삼겹살 목살
   닭고기 ~닭 닭가슴살
   계란 ~계란 달걀
  수산물
   생선 ~고등어 갈치 생선
   새우 ~새우
   김/해조류 ~김 미역 다시마
 음료 @beverage
  생수 ~생수 물 먹는샘물
  탄산음료 ~탄산 콜라 사이다
  커피
   원두커피 ~원두
   인스턴트커피 ~믹스커피 커피믹스
   캡슐커피 ~캡슐
  차 ~녹차 홍차 보리차
  주스 ~주스
  우유/두유 ~우유 두유
 건강식품 @health
  비타민 ~비타민 멀티비타민
  유산균 ~유산균 프로바이오틱스
  홍삼 ~홍삼 인삼
  오메가3 ~오메가3 오메가
  루테인 ~루테인
가전디지털 @appliance
 TV/영상가전
  TV ~TV 티비 텔레비전
  프로젝터 ~프로젝터 빔
 주방가전
  전기밥솥 ~밥솥
  전자레인지 ~전자레인지
  에어프라이어 ~에어프라이어
  커피머신 ~커피머신 에스프레소
  믹서기/블렌더 ~믹서기 블렌더
 생활가전
  청소기
   무선청소기 ~무선청소기 청소기
   로봇청소기 ~로봇청소기
  세탁기 @large_appliance ~세탁기
  건조기 @large_appliance ~건조기
  냉장고 @large_appliance ~냉장고
  공기청정기 ~공기청정기
  가습기 ~가습기
  제습기 ~제습기
 계절가전
  선풍기 ~선풍기
  에어컨 @large_appliance ~에어컨
  전기히터 ~히터 난로
  전기요/전기매트 ~전기요 전기매트 온수매트
 이미용가전
  헤어드라이어 ~드라이기 드라이어
  고데기 ~고데기
  전기면도기 ~면도기
 음향기기
  블루투스 스피커 ~스피커
  이어폰 ~이어폰 에어팟
  헤드폰 ~헤드폰 헤드셋
 컴퓨터 @computer
  노트북 ~노트북 랩탑
  데스크탑 ~데스크탑 본체
  모니터 ~모니터
  키보드 ~키보드
  마우스 ~마우스
  저장장치
   외장하드 ~외장하드
   USB메모리 ~USB 유에스비
   SSD ~SSD
  프린터 ~프린터 복합기
 휴대폰 @phone
  자급제폰 ~자급제 스마트폰 갤럭시 아이폰
  공기계 !DISABLED ~공기계
 휴대폰 액세서리 @mobile_accessory
  휴대폰 케이스 ~케이스 폰케이스
  보호필름 ~필름 강화유리
  충전기 ~충전기 충전
  케이블 ~케이블 C타입
  보조배터리 ~보조배터리
 태블릿 @computer
  태블릿PC ~태블릿 아이패드 갤럭시탭
  태블릿 케이스 @mobile_accessory ~태블릿케이스
 카메라 @computer
  미러리스 카메라 ~미러리스 카메라
  액션캠 ~액션캠 고프로
  메모리카드 ~SD카드 메모리카드
 게임
  게임기 ~닌텐도 플레이스테이션 게임기
  게임 타이틀 ~게임타이틀 게임CD
도서 @book
 국내도서
  소설 ~소설
   한국소설 ~한국소설
   외국소설 ~외국소설 번역소설
  에세이 ~에세이 수필
  시 ~시집
  경제경영 ~경제 경영 재테크 투자
  자기계발 ~자기계발
  인문 ~인문 철학 심리
  역사 ~역사
  과학 ~과학
  컴퓨터/IT ~프로그래밍 코딩 파이썬 개발
  외국어 ~영어 일본어 중국어 토익
  수험서 ~수험서 자격증 공무원
  어린이 ~동화 어린이책 그림책
  만화 ~만화 웹툰 코믹스
  요리 ~요리책 레시피
  여행 ~여행 가이드북
 외국도서
  영미도서 ~원서 영어원서
  일본도서 ~일본원서
 잡지 ~잡지 매거진
 음반 @music
  가요 CD ~앨범 CD 가요
  클래식 CD ~클래식
  LP ~LP 바이닐
출산/유아동 @baby
 기저귀
  밴드형 기저귀 @diaper ~기저귀 밴드형
  팬티형 기저귀 @diaper ~기저귀 팬티형
  수영장 기저귀 @diaper ~수영기저귀
 물티슈 ~물티슈
 분유/이유식 @baby_food
  분유 ~분유
  이유식 ~이유식
  아기 간식 ~아기과자 떡뻥
 수유용품
  젖병 ~젖병
  젖꼭지 ~젖꼭지
  유축기 ~유축기
 유아동 의류 @clothing
  유아 내의 ~내의 내복
  아동 티셔츠 ~아동티
  아동 아우터 ~아동패딩 아동점퍼
 유모차/카시트
  유모차 ~유모차
  카시트 ~카시트
  아기띠 ~아기띠 힙시트
 유아 스킨케어 @cosmetics ~아기로션 베이비로션
완구/취미 @toy
 블록/레고 ~레고 블록
 인형 ~인형 봉제인형
 보드게임 ~보드게임
 RC/드론 ~RC 드론
 퍼즐 ~퍼즐 직소퍼즐
 프라모델 ~프라모델 건담
 악기
  기타/베이스 ~기타 통기타 일렉기타
  디지털피아노 ~피아노 키보드
 미술/공예
  물감 ~물감
  스케치북 ~스케치북
가구/홈데코 @furniture
 침실가구
  침대 ~침대 침대프레임
  매트리스 ~매트리스
  옷장 ~옷장 드레스룸
 거실가구
  소파 ~소파 쇼파
  거실장 ~거실장 TV장
  테이블 ~테이블 좌식테이블
 서재가구
  책상 ~책상
  의자 ~의자 사무용의자
  책장 ~책장
 침구 @household
  이불 ~이불 차렵이불
  베개 ~베개
  매트리스 커버 ~매트리스커버
 커튼/블라인드 @household ~커튼 블라인드
 조명 @appliance ~조명 스탠드 무드등
 인테리어소품 @household ~액자 시계 디퓨저
주방용품 @kitchen
 냄비/프라이팬
  냄비 ~냄비 편수냄비
  프라이팬 ~프라이팬 후라이팬
  압력솥 ~압력솥
 칼/도마
  식칼 ~식칼 칼
  도마 ~도마
 식기
  그릇 ~그릇 접시 공기
  컵/머그 ~머그컵 컵 텀블러
  수저 ~수저 숟가락 젓가락
 보관용기
  밀폐용기 ~밀폐용기 반찬통
  물병/보틀 ~물병 보틀
 주방소모품 @household
  랩/호일 ~랩 호일
  키친타월 ~키친타올 키친타월
  고무장갑 ~고무장갑
생활용품 @household
 세제
  세탁세제 ~세탁세제 세제
  섬유유연제 ~섬유유연제
  주방세제 ~주방세제
 화장지/물티슈
  두루마리 화장지 ~화장지 휴지
  미용티슈 ~각티슈 미용티슈
 구강용품 @cosmetics
  치약 ~치약
  칫솔 @household ~칫솔
 생리대 ~생리대
 욕실용품
  수건 ~수건 타올
  샤워기 ~샤워기 샤워헤드
 수납/정리
  수납함 ~수납함 수납박스
  옷걸이 ~옷걸이 행거
 공구/철물
  전동공구 @appliance ~전동드릴 드릴
  수공구 ~드라이버 망치 렌치
스포츠/레저 @sports
 헬스/요가
  요가매트 ~요가매트 매트
  덤벨 ~덤벨 아령
  운동복 @clothing ~운동복 레깅스 요가복
 캠핑
  텐트 ~텐트
  캠핑의자 ~캠핑의자
  침낭 ~침낭
  버너/코펠 ~버너 코펠
 자전거
  자전거 ~자전거 로드 MTB
  자전거 용품 ~자전거헬멧 자전거라이트
 골프
  골프채 ~골프채 드라이버 아이언
  골프공 ~골프공
 등산
  등산화 @shoes ~등산화
  등산스틱 ~등산스틱
 수영
  수영복 @clothing ~수영복
  수경 ~수경 물안경
 낚시 ~낚싯대 낚시
반려동물용품 @pet
 강아지 사료 ~강아지사료 사료
 고양이 사료 ~고양이사료 캣푸드
 간식 ~개껌 간식 츄르
 배변용품 ~배변패드 고양이모래
 장난감 ~강아지장난감 캣타워
 하우스/방석 ~방석 하우스
문구/오피스 @stationery
 필기구
  볼펜 ~볼펜
  연필 ~연필
  형광펜 ~형광펜
 노트/다이어리 ~노트 다이어리 플래너
 사무용품
  파일/바인더 ~파일 바인더
  복사용지 ~A4 복사용지
  라벨지 ~라벨
 학용품 ~필통 지우개 학용품
자동차용품 @car
 세차용품 ~세차 왁스 카샴푸
 차량용 전자기기 @appliance
  블랙박스 ~블랙박스
  차량용 충전기 ~차량용충전기 시거잭
  내비게이션 ~내비게이션 네비
 엔진오일 ~엔진오일
 타이어 !READY ~타이어
 방향제 ~차량용방향제
기타 @general
 기타 재화 ~기타 잡화
 테스트 전용 !READY ~테스트
"""

_SIZES = [
    "XS",
    "S",
    "M",
    "L",
    "XL",
    "2XL",
    "3XL",
    "FREE",
    "44",
    "55",
    "66",
    "77",
    "88",
    "90",
    "95",
    "100",
    "105",
    "110",
]
_DIAPER_STAGES = ["1단계", "2단계", "3단계", "4단계", "5단계", "6단계", "7단계"]
_DIAPER_STAGES += ["신생아(NB)", "소형(S)", "중형(M)", "대형(L)", "특대형(XL)", "점보형(2XL)", "점보형 이상(3XL)"]
_ALL_CONDITIONS = ["NEW", "REFURBISHED", "USED_BEST", "USED_GOOD", "USED_NORMAL"]
_COUNT_UNITS = ["개", "개입", "매", "팩", "세트", "박스", "병", "캔", "봉"]


def _attr(
    name: str,
    data_type: str = "STRING",
    *,
    required: bool = False,
    exposed: bool = True,
    group: str = "NONE",
    unit: str = "없음",
    units: list[str] | None = None,
    values: list[str] | None = None,
) -> dict[str, Any]:
    """One attribute row as the meta API shows it; SELECT when values are given, else INPUT."""
    return {
        "attributeTypeName": name,
        "dataType": data_type,
        "inputType": "SELECT" if values else "INPUT",
        "inputValues": list(values or []),
        "basicUnit": unit,
        "usableUnits": list(units or []),
        "required": "MANDATORY" if required else "OPTIONAL",
        "groupNumber": group,
        "exposed": "EXPOSED" if exposed else "NONE",
    }


def _count(required: bool = True) -> dict[str, Any]:
    return _attr("수량", "NUMBER", required=required, unit="개", units=_COUNT_UNITS)


def _volume_weight_group() -> list[dict[str, Any]]:
    # Coupang's one-of group: exactly one of 개당 용량 / 개당 중량 (categories.yaml → rules)
    return [
        _attr("개당 용량", "NUMBER", required=True, group="1", unit="ml", units=["ml", "L", "cc"]),
        _attr("개당 중량", "NUMBER", required=True, group="1", unit="g", units=["g", "kg", "mg"]),
    ]


_COLOR = _attr("색상")
_COLOR_REQUIRED = _attr("색상", required=True)
_GENDER = _attr("성별", exposed=False, values=["남성", "여성", "남녀공용"])


def _cert(cert_type: str, name: str, data_type: str = "NONE", required: str = "OPTIONAL") -> dict[str, Any]:
    return {"certificationType": cert_type, "name": name, "dataType": data_type, "required": required}


_BASE_CERTS = [_cert("NOT_REQUIRED", "인증대상아님"), _cert("PRESENTED_IN_DETAIL_PAGE", "상세페이지 별도표기")]
_KID_CERTS = [
    _cert("KC_KID_CERTIFICATION", "[어린이제품] 안전인증", "CODE", "RECOMMEND"),
    _cert("KC_KID_CONFIRM", "[어린이제품] 안전확인", "CODE", "RECOMMEND"),
    _cert("KC_KID_PROVIDER", "[어린이제품] 공급자적합성확인", "NONE", "RECOMMEND"),
]
_ELECTRIC_CERTS = [
    _cert("KC_ELECTRONICS_CERTIFICATION", "[전기용품] 안전인증", "CODE", "RECOMMEND"),
    _cert("KC_ELECTRONICS_CONFIRM", "[전기용품] 안전확인", "CODE", "RECOMMEND"),
    _cert("KC_ELECTRONICS_PROVIDER", "[전기용품] 공급자적합성확인", "NONE", "RECOMMEND"),
]
_HOUSEHOLD_CERTS = [
    _cert("KC_HOUSEHOLD_CERTIFICATION", "[생활용품] 안전인증", "CODE", "RECOMMEND"),
    _cert("KC_HOUSEHOLD_CONFIRM", "[생활용품] 안전확인", "CODE", "RECOMMEND"),
    _cert("KC_HOUSEHOLD_QUALITY", "[생활용품] 안전기준준수", "NONE", "OPTIONAL"),
    _cert("KC_HOUSEHOLD_PACKAGING", "[생활용품] 어린이보호포장", "NONE", "OPTIONAL"),
]
# Phones sold in Korea must carry the radio-equipment conformity code: the one MANDATORY certificate.
_PHONE_CERTS = [_cert("COMMUNICATION_EQUIPMENT", "[방송통신기자재] 적합성평가", "CODE", "MANDATORY")]

BASE_DOCUMENTS = [
    {"templateName": "기타인증서류", "required": "OPTIONAL"},
    {"templateName": "수입신고필증(병행수입 선택시)", "required": "MANDATORY_PARALLEL_IMPORTED"},
    {"templateName": "인보이스영수증(해외구매대행 선택시)", "required": "MANDATORY_OVERSEAS_PURCHASED"},
]

# 고시정보 groups: detail names prefixed with "?" are OPTIONAL, the rest MANDATORY.
_AS = "A/S 책임자와 전화번호"
NOTICE_GROUPS: dict[str, list[str]] = {
    "의류": [
        "제품 소재",
        "색상",
        "치수",
        "제조자(수입자)",
        "제조국",
        "세탁방법 및 취급시 주의사항",
        "제조연월",
        "품질보증기준",
        _AS,
    ],
    "구두/신발": ["제품 주소재", "색상", "치수", "제조자(수입자)", "제조국", "취급시 주의사항", "품질보증기준", _AS],
    "가방": ["종류", "소재", "색상", "크기", "제조자(수입자)", "제조국", "취급시 주의사항", "품질보증기준", _AS],
    "패션잡화(모자/벨트/액세서리)": [
        "종류",
        "소재",
        "치수",
        "제조자(수입자)",
        "제조국",
        "취급시 주의사항",
        "품질보증기준",
        _AS,
    ],
    "귀금속/보석/시계류": [
        "소재/순도/밴드재질",
        "중량",
        "제조자(수입자)",
        "제조국",
        "치수",
        "착용 시 주의사항",
        "품질보증기준",
        _AS,
    ],
    "화장품": [
        "용량 또는 중량",
        "제품 주요 사양",
        "사용기한 또는 개봉 후 사용기간",
        "사용방법",
        "화장품제조업자,화장품책임판매업자 및 맞춤형화장품판매업자",
        "제조국",
        "화장품법에 따라 기재해야 하는 모든 성분",
        "?기능성 화장품 식품의약품안전처 심사필 여부",
        "사용할 때의 주의사항",
        "품질보증기준",
        "소비자상담 관련 전화번호",
    ],
    "가공식품": [
        "제품명",
        "식품의 유형",
        "생산자 및 소재지",
        "제조연월일",
        "소비기한 또는 품질유지기한",
        "포장단위별 내용물의 용량(중량), 수량",
        "원재료명 및 함량",
        "영양성분",
        "?유전자변형식품에 해당하는 경우의 표시",
        "소비자안전을 위한 주의사항",
        "?수입식품 문구",
        "소비자상담 관련 전화번호",
    ],
    "농수축산물": [
        "품목 또는 명칭",
        "포장단위별 내용물의 용량(중량), 수량, 크기",
        "생산자(수입자)",
        "원산지",
        "제조연월일(포장일 또는 생산연도)",
        "소비기한 또는 품질유지기한",
        "?관련법상 표시사항",
        "상품구성",
        "보관방법 또는 취급방법",
        "소비자안전을 위한 주의사항",
        "소비자상담 관련 전화번호",
    ],
    "건강기능식품": [
        "제품명",
        "식품의 유형",
        "제조업소의 명칭과 소재지",
        "제조연월일",
        "소비기한 또는 품질유지기한",
        "포장단위별 내용물의 용량(중량), 수량",
        "원재료명 및 함량",
        "영양정보",
        "기능정보",
        "섭취량, 섭취방법 및 섭취 시 주의사항 및 부작용 가능성",
        "질병의 예방 및 치료를 위한 의약품이 아니라는 내용의 표현",
        "?유전자변형건강기능식품에 해당하는 경우의 표시",
        "?수입식품 문구",
        "소비자상담 관련 전화번호",
    ],
    "가정용 전기제품": [
        "품명 및 모델명",
        "KC 인증정보",
        "정격전압, 소비전력",
        "?에너지소비효율등급",
        "동일모델의 출시년월",
        "제조자(수입자)",
        "제조국",
        "크기",
        "품질보증기준",
        _AS,
    ],
    "소형전자": [
        "품명 및 모델명",
        "KC 인증정보",
        "정격전압, 소비전력",
        "출시연월",
        "제조자(수입자)",
        "제조국",
        "크기, 무게",
        "주요 사양",
        "품질보증기준",
        _AS,
    ],
    "컴퓨터": [
        "품명 및 모델명",
        "KC 인증정보",
        "정격전압, 소비전력",
        "출시연월",
        "제조자(수입자)",
        "제조국",
        "크기, 무게",
        "주요 사양",
        "품질보증기준",
        _AS,
    ],
    "휴대폰": [
        "품명 및 모델명",
        "KC 인증정보",
        "크기, 무게",
        "이동통신사",
        "가입절차",
        "제조자(수입자)",
        "제조국",
        "출시연월",
        "주요 사양",
        "품질보증기준",
        _AS,
    ],
    "서적": ["도서명", "저자, 출판사", "크기", "쪽수", "제품구성", "발행일", "?목차 또는 책소개"],
    "음반/DVD": [
        "제작자 또는 공급자",
        "이용조건, 이용기간",
        "상품 제공 방식",
        "최소 시스템 사양, 필수 소프트웨어",
        "청약철회 또는 계약의 해제·해지에 따른 효과",
    ],
    "영유아용품": [
        "품명 및 모델명",
        "KC 인증정보",
        "크기, 중량",
        "색상",
        "재질",
        "사용연령 또는 체중범위",
        "동일모델의 출시년월",
        "제조자(수입자)",
        "제조국",
        "취급방법 및 취급시 주의사항, 안전표시",
        "품질보증기준",
        _AS,
    ],
    "완구": [
        "품명 및 모델명",
        "KC 인증정보",
        "크기, 중량",
        "색상",
        "재질",
        "사용연령 또는 권장사용연령",
        "제조자(수입자)",
        "제조국",
        "취급방법 및 취급시 주의사항, 안전표시",
        "품질보증기준",
        _AS,
    ],
    "가구(침대/소파/싱크대/DIY제품)": [
        "품명",
        "KC 인증정보",
        "색상",
        "구성품",
        "주요 소재",
        "제조자(수입자)",
        "제조국",
        "크기",
        "?배송·설치비용",
        "품질보증기준",
        _AS,
    ],
    "주방용품": [
        "품명 및 모델명",
        "재질",
        "구성품",
        "크기",
        "동일모델의 출시년월",
        "제조자(수입자)",
        "제조국",
        "?수입 기구/용기 문구",
        "품질보증기준",
        _AS,
    ],
    "스포츠용품": [
        "품명 및 모델명",
        "크기, 중량",
        "색상",
        "재질",
        "제품 구성",
        "동일모델의 출시년월",
        "제조자(수입자)",
        "제조국",
        "상품별 세부 사양",
        "품질보증기준",
        _AS,
    ],
    "자동차용품(자동차부품/기타 자동차용품)": [
        "품명 및 모델명",
        "동일모델의 출시년월",
        "?자동차관리법에 따른 자동차부품 자기인증 유무",
        "제조자(수입자)",
        "제조국",
        "크기",
        "적용차종",
        "품질보증기준",
        _AS,
    ],
    "기타 재화": [
        "품명 및 모델명",
        "?법에 의한 인증·허가 등을 받았음을 확인할 수 있는 경우 그에 대한 사항",
        "제조국(원산지)",
        "제조자(수입자)",
        _AS,
    ],
}

# Profile → meta recipe. `notices` lists the groups offered (the seller picks one per product).
PROFILES: dict[str, dict[str, Any]] = {
    "clothing": {
        "notices": ["의류", "기타 재화"],
        "attributes": [_COLOR_REQUIRED, _attr("사이즈", required=True, values=_SIZES), _count(False), _GENDER],
        "certifications": _BASE_CERTS,
        "offerConditions": ["NEW", "USED_BEST", "USED_GOOD", "USED_NORMAL"],
        "singleItem": False,
    },
    "shoes": {
        "notices": ["구두/신발", "기타 재화"],
        "attributes": [
            _COLOR_REQUIRED,
            _attr("신발 사이즈", "NUMBER", required=True, unit="mm", units=["mm"]),
            _GENDER,
        ],
        "certifications": _BASE_CERTS,
        "offerConditions": ["NEW", "USED_BEST", "USED_GOOD", "USED_NORMAL"],
        "singleItem": False,
    },
    "bags": {
        "notices": ["가방", "기타 재화"],
        "attributes": [_COLOR_REQUIRED, _count(False)],
        "certifications": _BASE_CERTS,
        "offerConditions": _ALL_CONDITIONS,
        "singleItem": True,
    },
    "accessories": {
        "notices": ["패션잡화(모자/벨트/액세서리)", "귀금속/보석/시계류", "기타 재화"],
        "attributes": [_COLOR, _count(False), _GENDER],
        "certifications": _BASE_CERTS,
        "offerConditions": ["NEW", "USED_BEST", "USED_GOOD", "USED_NORMAL"],
        "singleItem": True,
    },
    "cosmetics": {
        "notices": ["화장품"],
        "attributes": [
            _count(),
            *_volume_weight_group(),
            _attr("피부타입", exposed=False, values=["건성", "지성", "중성", "복합성", "민감성", "모든피부"]),
        ],
        "certifications": _BASE_CERTS,
        "offerConditions": ["NEW"],
        "singleItem": False,
    },
    "food": {
        "notices": ["가공식품"],
        "attributes": [_count(), *_volume_weight_group(), _attr("맛")],
        "certifications": _BASE_CERTS,
        "offerConditions": ["NEW"],
        "singleItem": False,
    },
    "fresh": {
        "notices": ["농수축산물"],
        "attributes": [
            _count(),
            _attr("총 중량", "NUMBER", required=True, unit="g", units=["g", "kg"]),
            _attr("등급", exposed=False),
        ],
        "certifications": _BASE_CERTS,
        "offerConditions": ["NEW"],
        "singleItem": False,
        "coldFresh": True,
        "rocketGrowth": False,
    },
    "beverage": {
        "notices": ["가공식품"],
        "attributes": [_count(), _attr("개당 용량", "NUMBER", required=True, unit="ml", units=["ml", "L"])],
        "certifications": _BASE_CERTS,
        "offerConditions": ["NEW"],
        "singleItem": False,
    },
    "health": {
        "notices": ["건강기능식품"],
        "attributes": [
            _count(),
            _attr("총 수량", "NUMBER", required=True, unit="정", units=["정", "캡슐", "포", "개", "ml", "g"]),
        ],
        "certifications": [*_BASE_CERTS, _cert("HEALTH_FUNCTIONAL_FOOD", "건강기능식품 인증", "CODE", "RECOMMEND")],
        "documents": [{"templateName": "표시·광고 사전심의필증", "required": "MANDATORY"}],
        "offerConditions": ["NEW"],
        "singleItem": False,
    },
    "appliance": {
        "notices": ["가정용 전기제품", "소형전자", "기타 재화"],
        "attributes": [_COLOR, _attr("모델명", exposed=False)],
        "certifications": [*_BASE_CERTS, *_ELECTRIC_CERTS],
        "offerConditions": _ALL_CONDITIONS,
        "singleItem": True,
    },
    "large_appliance": {
        "notices": ["가정용 전기제품"],
        "attributes": [
            _COLOR,
            _attr("용량", "NUMBER", unit="L", units=["L", "kg"]),
            _attr("에너지효율등급", exposed=False, values=["1등급", "2등급", "3등급", "4등급", "5등급"]),
        ],
        "certifications": [*_BASE_CERTS, *_ELECTRIC_CERTS],
        "offerConditions": _ALL_CONDITIONS,
        "singleItem": True,
        "chargeReceived": True,
        "rocketGrowth": False,
    },
    "computer": {
        "notices": ["컴퓨터", "소형전자"],
        "attributes": [
            _COLOR,
            _attr("저장용량", "NUMBER", unit="GB", units=["GB", "TB"]),
            _attr("모델명", exposed=False),
        ],
        "certifications": [*_BASE_CERTS, *_ELECTRIC_CERTS],
        "offerConditions": _ALL_CONDITIONS,
        "singleItem": True,
    },
    "phone": {
        "notices": ["휴대폰"],
        "attributes": [_COLOR_REQUIRED, _attr("저장용량", "NUMBER", required=True, unit="GB", units=["GB", "TB"])],
        "certifications": _PHONE_CERTS,
        "offerConditions": _ALL_CONDITIONS,
        "singleItem": False,
    },
    "mobile_accessory": {
        "notices": ["소형전자", "기타 재화"],
        "attributes": [_COLOR, _attr("호환기종"), _count(False)],
        "certifications": [*_BASE_CERTS, *_ELECTRIC_CERTS],
        "offerConditions": ["NEW", "REFURBISHED"],
        "singleItem": True,
    },
    "book": {
        "notices": ["서적"],
        "attributes": [_attr("권수", "NUMBER", unit="권", units=["권"])],
        "certifications": [_cert("NOT_REQUIRED", "인증대상아님")],
        "offerConditions": ["NEW", "USED_BEST", "USED_GOOD", "USED_NORMAL"],
        "singleItem": True,
    },
    "music": {
        "notices": ["음반/DVD", "기타 재화"],
        "attributes": [_attr("구성", values=["1CD", "2CD", "LP", "CD+DVD"])],
        "certifications": [_cert("NOT_REQUIRED", "인증대상아님")],
        "offerConditions": ["NEW", "USED_BEST", "USED_GOOD", "USED_NORMAL"],
        "singleItem": True,
    },
    "baby": {
        "notices": ["영유아용품", "기타 재화"],
        "attributes": [_count(False), _COLOR],
        "certifications": [*_BASE_CERTS, *_KID_CERTS],
        "offerConditions": ["NEW"],
        "singleItem": True,
    },
    "diaper": {
        "notices": ["영유아용품"],
        "attributes": [_attr("기저귀 단계", required=True, values=_DIAPER_STAGES), _count(), _GENDER],
        "certifications": [*_BASE_CERTS, *_KID_CERTS],
        "offerConditions": ["NEW"],
        "singleItem": False,
    },
    "baby_food": {
        "notices": ["가공식품"],
        "attributes": [_count(), *_volume_weight_group(), _attr("단계", values=["1단계", "2단계", "3단계", "4단계"])],
        "certifications": _BASE_CERTS,
        "offerConditions": ["NEW"],
        "singleItem": False,
    },
    "toy": {
        "notices": ["완구", "기타 재화"],
        "attributes": [
            _count(False),
            _attr("사용연령", exposed=False, values=["0~2세", "3~5세", "6~8세", "9~13세", "14세 이상"]),
        ],
        "certifications": [*_BASE_CERTS, *_KID_CERTS],
        "offerConditions": ["NEW", "USED_BEST", "USED_GOOD"],
        "singleItem": True,
    },
    "furniture": {
        "notices": ["가구(침대/소파/싱크대/DIY제품)"],
        "attributes": [_COLOR_REQUIRED, _attr("사이즈")],
        "certifications": [*_BASE_CERTS, *_HOUSEHOLD_CERTS],
        "offerConditions": ["NEW", "REFURBISHED", "USED_BEST"],
        "singleItem": True,
        "chargeReceived": True,
        "rocketGrowth": False,
    },
    "household": {
        "notices": ["기타 재화"],
        "attributes": [_count(), _attr("사이즈"), _COLOR],
        "certifications": [*_BASE_CERTS, *_HOUSEHOLD_CERTS],
        "offerConditions": ["NEW"],
        "singleItem": False,
    },
    "kitchen": {
        "notices": ["주방용품", "기타 재화"],
        "attributes": [_count(False), _attr("용량", "NUMBER", unit="ml", units=["ml", "L"]), _COLOR],
        "certifications": [*_BASE_CERTS, *_HOUSEHOLD_CERTS],
        "offerConditions": ["NEW"],
        "singleItem": True,
    },
    "sports": {
        "notices": ["스포츠용품", "기타 재화"],
        "attributes": [_COLOR, _attr("사이즈"), _count(False)],
        "certifications": [*_BASE_CERTS, *_HOUSEHOLD_CERTS],
        "offerConditions": ["NEW", "USED_BEST", "USED_GOOD", "USED_NORMAL"],
        "singleItem": True,
    },
    "pet": {
        "notices": ["기타 재화", "가공식품"],
        "attributes": [_count(), *_volume_weight_group()],
        "certifications": _BASE_CERTS,
        "offerConditions": ["NEW"],
        "singleItem": False,
    },
    "stationery": {
        "notices": ["기타 재화"],
        "attributes": [_count(False), _COLOR],
        "certifications": [*_BASE_CERTS, *_KID_CERTS],
        "offerConditions": ["NEW"],
        "singleItem": True,
    },
    "car": {
        "notices": ["자동차용품(자동차부품/기타 자동차용품)", "기타 재화"],
        "attributes": [_count(False), _attr("적용차종", exposed=False)],
        "certifications": _BASE_CERTS,
        "offerConditions": ["NEW", "REFURBISHED", "USED_GOOD"],
        "singleItem": True,
    },
    "general": {
        "notices": ["기타 재화"],
        "attributes": [_count(False)],
        "certifications": _BASE_CERTS,
        "offerConditions": ["NEW"],
        "singleItem": True,
    },
}
