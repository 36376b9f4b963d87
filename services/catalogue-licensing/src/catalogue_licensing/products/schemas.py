"""Request and response bodies of products: the four answers and the procurement facts, each in
one fixed structure so every library reads them the same way."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, HttpUrl

from catalogue_licensing.vendors.schemas import Email, Phone
from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel, PatchModel

Category = Literal[
    "ebooks_audiobooks",
    "newspapers_magazines",
    "film",
    "music",
    "reference_databases",
    "language_learning",
]
Audience = Literal["residents", "pupils"]
ProductStatus = Literal["draft", "active", "retired"]
# The languages product texts may be written in (BCP 47): Norwegian Bokmål and Nynorsk, English,
# the Sámi languages and Kven of Norway, and the languages of the other consortia.
TextLanguage = Literal[
    "nb", "nn", "en", "se", "smj", "sma", "fkv", "nl", "fr", "de", "sv", "da", "fi"
]
AccessMethod = Literal[
    "library_card", "feide", "ip_range", "vendor_account", "bankid", "open_access"
]
AuthenticationStandard = Literal[
    "saml2", "oidc", "oauth2", "ezproxy", "ip", "openathens", "shibboleth"
]
WcagLevel = Literal["A", "AA", "AAA"]
CounterRelease = Literal["5", "5.1"]

T = TypeVar("T")


def _unique(values: list[T]) -> list[T]:
    if len(set(values)) != len(values):
        raise ValueError("each value may occur only once")
    return values


def _https_only(url: HttpUrl) -> HttpUrl:
    if url.scheme != "https":
        raise ValueError("the SUSHI endpoint must use https")
    if url.username or url.password:
        raise ValueError("the SUSHI endpoint may not carry credentials in its URL")
    return url


ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=4000)]
Names = Annotated[
    dict[TextLanguage, ShortText],
    Field(
        min_length=1,
        description="By language; at least one",
        examples=[{"nb": "Lydbøker", "en": "Audiobooks"}],
    ),
]
Texts = Annotated[
    dict[TextLanguage, LongText],
    Field(min_length=1, description="By language; at least one"),
]
OptionalTexts = Annotated[
    dict[TextLanguage, LongText], Field(description="By language; may be empty")
]
Audiences = Annotated[list[Audience], Field(min_length=1, max_length=2), AfterValidator(_unique)]
ContentLanguages = Annotated[
    list[Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]],
    Field(
        min_length=1,
        max_length=30,
        description="ISO 639 codes of the content",
        examples=[["nb", "nn", "en"]],
    ),
    AfterValidator(_unique),
]
SushiUrl = Annotated[HttpUrl, Field(max_length=500), AfterValidator(_https_only)]


def _https(url: HttpUrl) -> HttpUrl:
    # Shown and linked on library websites served over https: http would be mixed content.
    if url.scheme != "https":
        raise ValueError("must use https")
    return url


HttpsUrl = Annotated[HttpUrl, Field(max_length=500), AfterValidator(_https)]
WebUrl = Annotated[HttpUrl, Field(max_length=500)]


class Access(InputModel):
    """How to get access: the methods, and the steps a patron follows."""

    methods: Annotated[
        list[AccessMethod], Field(min_length=1, max_length=6), AfterValidator(_unique)
    ]
    steps: Texts
    launch_url: HttpsUrl | None = Field(
        None, description="Where a library's website sends patrons to start using the product"
    )


class HomeUse(InputModel):
    """Whether the product can be used from home, and on what terms."""

    available: bool
    terms: OptionalTexts = Field(default_factory=dict)


class Sharing(InputModel):
    """Whether it can be shared with other libraries, and on what terms."""

    allowed: bool
    terms: OptionalTexts = Field(default_factory=dict)


class Contact(InputModel):
    """Whom to contact when it does not work."""

    name: ShortText
    email: Email
    phone: Phone | None = None
    opening_hours: OptionalTexts = Field(default_factory=dict)
    url: WebUrl | None = None


class Procurement(InputModel):
    """The facts procurement asks for."""

    wcag_level: WcagLevel | None = Field(
        description="WCAG conformance level; null when none is claimed"
    )
    data_processing_agreement: bool = Field(
        description="Whether a data-processing agreement is offered"
    )
    counter_release: CounterRelease | None = Field(
        default=None, description="COUNTER release of the usage statistics; null when none"
    )
    sushi_url: SushiUrl | None = Field(
        default=None,
        description="SUSHI endpoint: https, and its host must resolve to public addresses only",
    )
    authentication_standards: Annotated[
        list[AuthenticationStandard], Field(max_length=7), AfterValidator(_unique)
    ] = Field(default_factory=list)


class ProductContent(InputModel):
    """Everything a vendor describes about a product (status and owner are not among it)."""

    category: Category
    audiences: Audiences
    content_languages: ContentLanguages
    name: Names
    description: Texts
    access: Access
    home_use: HomeUse
    sharing: Sharing
    contact: Contact
    procurement: Procurement
    logo_url: HttpsUrl | None = Field(None, description="The product's logo, for websites to show")


class ProductIn(ProductContent):
    vendor_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "The vendor: required from a programme administrator; a vendor's token names its own, "
            "so a vendor leaves it out"
        ),
    )


class ProductPatch(PatchModel):
    """Fields to change; each of the four answers is replaced whole."""

    clearable: ClassVar[frozenset[str]] = frozenset({"logo_url"})

    category: Category | None = None
    audiences: Audiences | None = None
    content_languages: ContentLanguages | None = None
    name: Names | None = None
    description: Texts | None = None
    access: Access | None = None
    home_use: HomeUse | None = None
    sharing: Sharing | None = None
    contact: Contact | None = None
    procurement: Procurement | None = None
    logo_url: HttpsUrl | None = None


class AccessOut(OutputModel):
    methods: list[str]
    steps: dict[str, str]
    launch_url: str | None = None


class HomeUseOut(OutputModel):
    available: bool
    terms: dict[str, str]


class SharingOut(OutputModel):
    allowed: bool
    terms: dict[str, str]


class ContactOut(OutputModel):
    name: str
    email: str
    phone: str | None
    opening_hours: dict[str, str]
    url: str | None


class ProcurementOut(OutputModel):
    wcag_level: str | None
    data_processing_agreement: bool
    counter_release: str | None
    sushi_url: str | None
    authentication_standards: list[str]


class ProductOut(OutputModel):
    id: uuid.UUID
    vendor_id: uuid.UUID
    status: ProductStatus
    category: Category
    audiences: list[str]
    content_languages: list[str]
    name: dict[str, str]
    description: dict[str, str]
    access: AccessOut
    home_use: HomeUseOut
    sharing: SharingOut
    contact: ContactOut
    procurement: ProcurementOut
    logo_url: str | None
    version: int
    created_at: datetime
    updated_at: datetime


def sushi_host(url: str) -> tuple[str, int]:
    """The host and port a SUSHI URL connects to."""
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or 443


class ProductQuery(PageQuery):
    status: ProductStatus | None = Field(None, description="Only in this status")
    vendor: uuid.UUID | None = Field(None, description="Only this vendor's")
    category: Category | None = Field(None, description="Only in this category")
