"""Settings (environment variables prefixed GRID_)."""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.sla.profiles import PROFILE_NAMES

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRID_", env_file=".env", extra="ignore")

    # dev mode allows the demo users and a signing key generated for this instance; production
    # must set GRID_SECRET_KEY.
    dev_mode: bool = True
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'gridline.db'}"
    media_root: Path = PROJECT_ROOT / "media"
    # JWT signing key. Unset: a random key generated on first run and kept in the database
    # (shared by every process of the instance), never a value written in the source.
    secret_key: str | None = None
    policy_profile: str = "zhenru"
    # Whose member quotas and points (网格员主动发现问题数) are in force: a profile of
    # backend/quotas/data/quotas.yaml, or "none" to switch them off. Separate from
    # policy_profile because seed 001 (heyang) is the only seed that sets member quotas at all,
    # while the street's orders run on its own profile (zhenru by default): a street that
    # wants its members judged takes 合阳's quota rules alongside its own order rules.
    quota_profile: str = "heyang"
    # Closed weeks each weekly close re-checks and corrects in the points ledger (a find
    # rejected or merged since): about a month, the seed's monthly report being the last look
    # at a week; 0 leaves every closed week as it was booked.
    quota_recheck_weeks: int = Field(default=4, ge=0, le=53)
    # The department-score scheme (jiangning | zhenru | dongcheng). Unset: the policy
    # profile's own (backend/scoring/periods.py PROFILE_SCHEMES; heyang, xiayang: zhenru).
    scoring_scheme: str | None = None
    # Rules are computed in this zone; instants are stored in UTC.
    time_zone: str = "Asia/Shanghai"

    # Evidence storage: "local" (files under media_root) or "s3" (any S3-compatible store).
    storage_backend: Literal["local", "s3"] = "local"
    s3_endpoint_url: str | None = None
    s3_bucket: str = "gridline"
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_region: str = "us-east-1"

    # Uploads. Seed 003 caps attachments at 10 MB; phones send 12-50 MP photos.
    max_photo_bytes: int = 10 * 1024 * 1024
    max_photo_pixels: int = 80_000_000
    max_recording_bytes: int = 10 * 1024 * 1024
    max_photos_per_report: int = 9
    # A photo taken this long before upload is flagged "stale" (seed 002: 随手拍 within 3 days;
    # a patrol photo should be from today, so a day is the command center's default).
    photo_stale_hours: float = 24.0
    # A capture time this far after the upload is flagged "future" (camera clocks drift by
    # minutes; an hour-plus lead is a wrong clock or an edited time).
    photo_future_minutes: float = 10.0
    # Photo GPS this far from the report location is flagged "far" (phone GPS in dense blocks
    # is often 50-100 m off, so well above that).
    photo_far_m: float = 300.0
    # A CJK font for the watermark band; None = look in the usual Debian font paths.
    watermark_font: Path | None = None

    # Deployment overrides deep-merged over the policy profile, e.g.
    # GRID_POLICY_OVERRIDES='{"sources": {"patrol": {"levels": {"general": {"clocks":
    #   {"resolve": {"amount": 4}}}}}}}'
    policy_overrides: dict[str, Any] = {}
    # 工作日白天 for time-of-day leads (值班电话: 城运中心 by day, 党政办 otherwise).
    workday_daytime_start: time = time(8, 30)
    workday_daytime_end: time = time(17, 30)
    # "Three failed calls at different times" before an SMS may replace the first-contact call
    # (seed 003): calls this many minutes apart count as different times.
    first_contact_attempt_gap_minutes: int = 30
    # Auto-dispatch only when the classifier's top probability is at least this and leads the
    # runner-up by this margin (the gate scripts/train_classifier.py calibrates on held-out
    # folds for 98 % precision), or when the member's own pick is in its top 3 with at least
    # classifier_pick_min_score.
    classifier_min_score: float = 0.864
    classifier_min_margin: float = 0.0
    classifier_pick_min_score: float = 0.1
    # Duplicates: an open order of the same category this close is offered as a duplicate.
    default_duplicate_radius_m: float = 50.0
    duplicate_radius_m: dict[int, float] = {}
    # 返潮: an earlier order of the category this close (or at the same address), within the
    # window, is the problem coming back.
    repeat_radius_m: float = 30.0
    repeat_window_days: int = 365
    # The embedded mode runs the deadline sweep in the API process; scale-out runs
    # `gridline worker` processes instead.
    inprocess_worker: bool = True
    worker_interval_s: float = 15.0
    # WeCom (企业微信) group robot for command-center notifications; a secret (holds the key).
    wecom_webhook_url: str | None = None
    # Where people open the app, for links in outbound messages (None: no links).
    public_base_url: str | None = None
    # The built PWA served at `/`, and the app's map: no tiles by default (closed networks).
    pwa_dist: Path = PROJECT_ROOT / "pwa" / "dist"
    map_tile_url: str | None = None
    map_tile_crs: Literal["wgs84", "gcj02", "bd09"] = "gcj02"
    map_tile_attribution: str | None = None

    access_token_minutes: int = 15
    refresh_token_days: int = 30
    # Wrong passwords from one address for one username: after this many, each further try
    # waits login_backoff_seconds, doubling per failure, up to the window.
    login_max_failures: int = 5
    login_backoff_seconds: int = 60
    login_failure_window_minutes: int = 15
    # From all addresses together: a looser limit, so guessing from many addresses still stops
    # while a stranger's tries from one address never lock the owner out.
    login_account_max_failures: int = 50
    # Peers (IPs or CIDRs) whose X-Forwarded-For is believed; otherwise the connection's
    # address is the client's.
    trusted_proxies: list[str] = []
    # Browser origins allowed to call the API cross-origin (none: same origin only).
    cors_origins: list[str] = []
    # /docs and /openapi.json: open in dev mode; in production only when this is true.
    api_docs_public: bool = False
    # Request bodies: JSON and forms (hotline batches of 500 rows fit), and the multipart
    # overhead allowed on top of the files' own limits.
    max_json_bytes: int = 4 * 1024 * 1024
    multipart_overhead_bytes: int = 256 * 1024

    # Open311 GeoReport v2 (/open311/v2/). GET requests shows only the orders of these
    # sources: by default those that came in through Open311 itself, whose requester chose
    # to file publicly. Adding a source (say snapshot) publishes its descriptions and
    # addresses as written, so check they carry no personal details first.
    open311_public_sources: list[str] = ["open311"]
    # Hosts a media_url may be fetched from ("img.example.org" any port, "host:port" that
    # port only); none by default: no server-side request to an address a client chose.
    open311_media_hosts: list[str] = []
    # Requests per API key per minute, counted in the database (shared by every process).
    open311_rate_per_minute: int = 60
    open311_contact: str = "街道城运中心（网格化管理中心）"
    open311_key_service: str = "请联系街道城运中心申请 API 密钥"

    @model_validator(mode="after")
    def _require_secret_in_production(self) -> Settings:
        if not self.dev_mode and self.secret_key is None:
            raise ValueError("GRID_SECRET_KEY must be set when GRID_DEV_MODE is false")
        if self.secret_key is not None and len(self.secret_key) < 32:
            raise ValueError("GRID_SECRET_KEY must be at least 32 characters")
        if self.quota_profile not in (*PROFILE_NAMES, "none"):
            raise ValueError(
                f"GRID_QUOTA_PROFILE must be one of {', '.join(PROFILE_NAMES)} or none"
            )
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def max_upload_bytes(self) -> int:
        """The largest multipart body a client may send: every photo and a recording at their
        own limits, plus the form's overhead."""
        files = self.max_photos_per_report * self.max_photo_bytes + self.max_recording_bytes
        return files + self.multipart_overhead_bytes

    @property
    def docs_served(self) -> bool:
        return self.dev_mode or self.api_docs_public


@lru_cache
def get_settings() -> Settings:
    return Settings()
