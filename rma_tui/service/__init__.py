"""All business rules of the returns desk; the only code that changes data.

Every public function takes plain values and an actor (a user name), runs in one unit of
work (`Database.write()`, i.e. `BEGIN IMMEDIATE` on SQLite), returns plain read models
(dataclasses) and raises `DomainError` with an i18n key when a request is refused. Nothing
here imports textual. Mutating functions take an optional `request_id` (I7) and `now`
(for demo data and tests; default: the current UTC time).

The rules live in one module per part of the job:

    vocabulary  states, edges, roles, reasons, channels, methods, accounts, limits
    clock       UTC, the shop's local days, the days accepted
    database    the database handle and its schema, as the UI and the CLI open it
    views       the read models returned and the inputs taken
    unit        the unit of work: validators, the acting user and shop, request ids (I7),
                the audit chain (I6), notifications, postings (I2), stock moves (I1)
    users       users, PINs, sign-in, settings, who may destroy or archive, first setup
    shops       the shops of a chain, transfers between them
    catalogue   products, customers, sales, purchases
    care        store credit, follow-ups
    rules       the policy's verdict and amounts, pure functions
    slips       the lifecycle up to inspection (I3, I5)
    settle      refunds and exchanges (I4), closing, feedback
    inventory   counted corrections, reorder points, defective goods, supplier returns
    close       the daily close
    queries     the reads the screens and the CLI use
    checks      `verify`: the invariants checked over the whole database

This module is only the face of the package: `from rma_tui import service;
service.create_slip(...)` imports `service.slips` (and SQLAlchemy behind it) on first use,
so the app can import the service at the top of a screen without paying for the database
before its first frame. Everything the rest of the program may use is in `__all__`; the
modules' other names are the package's own.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "Database": "database",
    "MigrationError": "database",
    "current_revision": "database",
    "sqlite_file": "database",
    "sqlite_path": "database",
    "upgrade": "database",
    "url_for": "database",
    "ACCOUNTS": "vocabulary",
    "ADJUST_LOCATIONS": "vocabulary",
    "APPROVER_ROLES": "vocabulary",
    "ARCHIVE_ROLES": "vocabulary",
    "BANK": "vocabulary",
    "CANCEL_ROLES": "vocabulary",
    "CAPITAL": "vocabulary",
    "CASH": "vocabulary",
    "CLOSE_DAY_ROLES": "vocabulary",
    "CLOSE_ROLES": "vocabulary",
    "COGS": "vocabulary",
    "CREATE_ROLES": "vocabulary",
    "DEFECTIVE": "vocabulary",
    "DEFECTIVE_ACTIONS": "vocabulary",
    "DESTRUCTIVE_ACTIONS": "vocabulary",
    "DESTRUCTIVE_ROLES": "vocabulary",
    "EXPORT_PHONE_ROLES": "vocabulary",
    "FAULT_REASONS": "vocabulary",
    "FEEDBACK_ROLES": "vocabulary",
    "FOLLOW_UP_ROLES": "vocabulary",
    "INVENTORY": "vocabulary",
    "JOURNAL_KINDS": "vocabulary",
    "MAX_FEN": "vocabulary",
    "MAX_ID": "vocabulary",
    "MAX_QTY": "vocabulary",
    "MAX_TEXT": "vocabulary",
    "NEXT_ROLES": "vocabulary",
    "OTHER_INCOME": "vocabulary",
    "PAYABLE": "vocabulary",
    "PAYMENT_METHODS": "vocabulary",
    "PLATFORM_STATUSES": "vocabulary",
    "PHONE_ROLES": "vocabulary",
    "PURCHASE_ROLES": "vocabulary",
    "REASONS": "vocabulary",
    "RECEIVABLE": "vocabulary",
    "REFUND_METHODS": "vocabulary",
    "RELEASED": "vocabulary",
    "RETURNS": "vocabulary",
    "REVENUE": "vocabulary",
    "ROLES": "vocabulary",
    "SALES_ROLES": "vocabulary",
    "SALE_CLOCK_SLACK": "vocabulary",
    "SETTLE_ROLES": "vocabulary",
    "SHOP_CODE_CHARS": "vocabulary",
    "SHOP_ROLES": "vocabulary",
    "SLIP_TYPES": "vocabulary",
    "STATUSES": "vocabulary",
    "STOCK_ROLES": "vocabulary",
    "STORE_CREDIT": "vocabulary",
    "SYSTEM_USER": "vocabulary",
    "TERMINAL": "vocabulary",
    "TRANSFERS": "vocabulary",
    "TRANSFER_ROLES": "vocabulary",
    "TRANSITIONS": "vocabulary",
    "UNLOCK_ROLES": "vocabulary",
    "WAREHOUSE_ROLES": "vocabulary",
    "WRITE_OFF": "vocabulary",
    "IMPORT_REQUEST_ROLES": "platforms",
    "RequestConflict": "platforms",
    "RequestImport": "platforms",
    "import_requests": "platforms",
    "ParcelScan": "parcels",
    "ParcelView": "parcels",
    "attach_parcel": "parcels",
    "list_parcels": "parcels",
    "receive_by_waybill": "parcels",
    "slip_by_waybill": "parcels",
    "ChannelView": "channels",
    "account_name": "channels",
    "channel_codes": "channels",
    "channel_value": "channels",
    "is_platform": "channels",
    "list_channels": "channels",
    "FIRST_DAY": "clock",
    "as_utc": "clock",
    "LAST_DAY": "clock",
    "check_day": "clock",
    "day_bounds": "clock",
    "local_day": "clock",
    "utcnow": "clock",
    "AlertView": "views",
    "Check": "views",
    "CustomerInput": "views",
    "CustomerView": "views",
    "DayCloseView": "views",
    "EventView": "views",
    "Finding": "views",
    "PlatformRequestInput": "views",
    "FollowUpView": "views",
    "GradeInput": "views",
    "LineInput": "views",
    "NotificationView": "views",
    "Preview": "views",
    "ProductHit": "views",
    "ProductInput": "views",
    "QueueItem": "views",
    "RuleResult": "views",
    "SaleInput": "views",
    "SaleLineInput": "views",
    "SaleLineView": "views",
    "SaleSummary": "views",
    "SaleView": "views",
    "ShopView": "views",
    "SlipLineView": "views",
    "SlipSummary": "views",
    "SlipView": "views",
    "StockRow": "views",
    "SupplierReturnView": "views",
    "TransferView": "views",
    "UserView": "views",
    "VerifyReport": "views",
    "event_hash": "unit",
    "hash_pin": "unit",
    "policy": "unit",
    "role_refusal": "unit",
    "set_policy": "unit",
    "PIN_FIRST_WAIT": "users",
    "PIN_LONGEST_WAIT": "users",
    "PIN_TRIES": "users",
    "add_user": "users",
    "authorize_archive": "users",
    "authorize_destructive": "users",
    "check_pin": "users",
    "get_user": "users",
    "list_users": "users",
    "masked_phone": "users",
    "needs_setup": "users",
    "phone_for": "users",
    "pin_wait": "users",
    "record_destructive": "users",
    "set_pin": "users",
    "setup_shop": "users",
    "sign_in": "users",
    "unlock_user": "users",
    "add_shop": "shops",
    "get_setting": "shops",
    "list_shops": "shops",
    "rename_shop": "shops",
    "set_setting": "shops",
    "transfer_stock": "shops",
    "view_shop": "shops",
    "add_customers": "catalogue",
    "add_products": "catalogue",
    "receive_purchase": "catalogue",
    "record_sales": "catalogue",
    "add_follow_up": "care",
    "complete_follow_up": "care",
    "follow_ups": "care",
    "approve_slip": "slips",
    "cancel_slip": "slips",
    "create_slip": "slips",
    "inspect_slip": "slips",
    "preview_slip": "slips",
    "receive_slip": "slips",
    "reject_slip": "slips",
    "submit_slip": "slips",
    "update_draft": "slips",
    "add_feedback": "settle",
    "close_slip": "settle",
    "settle_slip": "settle",
    "REST_METHODS": "vocabulary",
    "Statement": "receivables",
    "StatementLine": "receivables",
    "customer_statement": "receivables",
    "record_payment": "receivables",
    "adjust_stock": "inventory",
    "dispose_defective": "inventory",
    "return_to_supplier": "inventory",
    "set_reorder_point": "inventory",
    "supplier_returns": "inventory",
    "close_day": "close",
    "closed_days": "close",
    "day_totals": "close",
    "REPEAT_WINDOW_DAYS": "queries",
    "RULE_FLAGS": "queries",
    "alerts": "queries",
    "count_by_status": "queries",
    "count_notifications": "queries",
    "find_customers": "queries",
    "find_sales": "queries",
    "find_slips": "queries",
    "get_sale": "queries",
    "get_slip": "queries",
    "list_sales": "queries",
    "list_slips": "queries",
    "mark_notifications_read": "queries",
    "notifications": "queries",
    "repeat_window": "queries",
    "review_queue": "queries",
    "search_products": "queries",
    "stock": "queries",
    "MAX_DAY_FEN": "checks",
    "account_balances": "checks",
    "accounts": "checks",
    "cell_rules": "checks",
    "chain_head": "checks",
    "damage_error": "checks",
    "verify": "checks",
    "verify_chain": "checks",
}

__all__ = sorted({*_EXPORTS, "DomainError"})


def __getattr__(name: str) -> Any:
    """Import the module that defines `name` on first use, and keep the name here."""
    if name == "DomainError":  # what every refusal raises, part of the service's contract
        from rma_tui.errors import DomainError

        return DomainError
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # what mypy and readers see: the same names, imported eagerly
    from rma_tui.errors import DomainError  # noqa: F401
    from rma_tui.service.care import (  # noqa: F401
        add_follow_up,
        complete_follow_up,
        follow_ups,
    )
    from rma_tui.service.catalogue import (  # noqa: F401
        add_customers,
        add_products,
        receive_purchase,
        record_sales,
    )
    from rma_tui.service.channels import (  # noqa: F401
        ChannelView,
        account_name,
        channel_codes,
        channel_value,
        is_platform,
        list_channels,
    )
    from rma_tui.service.checks import (  # noqa: F401
        MAX_DAY_FEN,
        account_balances,
        accounts,
        cell_rules,
        chain_head,
        damage_error,
        verify,
        verify_chain,
    )
    from rma_tui.service.clock import (  # noqa: F401
        FIRST_DAY,
        LAST_DAY,
        as_utc,
        check_day,
        day_bounds,
        local_day,
        utcnow,
    )
    from rma_tui.service.close import (  # noqa: F401
        close_day,
        closed_days,
        day_totals,
    )
    from rma_tui.service.database import (  # noqa: F401
        Database,
        MigrationError,
        current_revision,
        sqlite_file,
        sqlite_path,
        upgrade,
        url_for,
    )
    from rma_tui.service.inventory import (  # noqa: F401
        adjust_stock,
        dispose_defective,
        return_to_supplier,
        set_reorder_point,
        supplier_returns,
    )
    from rma_tui.service.parcels import (  # noqa: F401
        ParcelScan,
        ParcelView,
        attach_parcel,
        list_parcels,
        receive_by_waybill,
        slip_by_waybill,
    )
    from rma_tui.service.platforms import (  # noqa: F401
        IMPORT_REQUEST_ROLES,
        RequestConflict,
        RequestImport,
        import_requests,
    )
    from rma_tui.service.queries import (  # noqa: F401
        REPEAT_WINDOW_DAYS,
        RULE_FLAGS,
        alerts,
        count_by_status,
        count_notifications,
        find_customers,
        find_sales,
        find_slips,
        get_sale,
        get_slip,
        list_sales,
        list_slips,
        mark_notifications_read,
        notifications,
        repeat_window,
        review_queue,
        search_products,
        stock,
    )
    from rma_tui.service.receivables import (  # noqa: F401
        Statement,
        StatementLine,
        customer_statement,
        record_payment,
    )
    from rma_tui.service.settle import (  # noqa: F401
        add_feedback,
        close_slip,
        settle_slip,
    )
    from rma_tui.service.shops import (  # noqa: F401
        add_shop,
        get_setting,
        list_shops,
        rename_shop,
        set_setting,
        transfer_stock,
        view_shop,
    )
    from rma_tui.service.slips import (  # noqa: F401
        approve_slip,
        cancel_slip,
        create_slip,
        inspect_slip,
        preview_slip,
        receive_slip,
        reject_slip,
        submit_slip,
        update_draft,
    )
    from rma_tui.service.unit import (  # noqa: F401
        event_hash,
        hash_pin,
        policy,
        role_refusal,
        set_policy,
    )
    from rma_tui.service.users import (  # noqa: F401
        PIN_FIRST_WAIT,
        PIN_LONGEST_WAIT,
        PIN_TRIES,
        add_user,
        authorize_archive,
        authorize_destructive,
        check_pin,
        get_user,
        list_users,
        masked_phone,
        needs_setup,
        phone_for,
        pin_wait,
        record_destructive,
        set_pin,
        setup_shop,
        sign_in,
        unlock_user,
    )
    from rma_tui.service.views import (  # noqa: F401
        AlertView,
        Check,
        CustomerInput,
        CustomerView,
        DayCloseView,
        EventView,
        Finding,
        FollowUpView,
        GradeInput,
        LineInput,
        NotificationView,
        PlatformRequestInput,
        Preview,
        ProductHit,
        ProductInput,
        QueueItem,
        RuleResult,
        SaleInput,
        SaleLineInput,
        SaleLineView,
        SaleSummary,
        SaleView,
        ShopView,
        SlipLineView,
        SlipSummary,
        SlipView,
        StockRow,
        SupplierReturnView,
        TransferView,
        UserView,
        VerifyReport,
    )
    from rma_tui.service.vocabulary import (  # noqa: F401
        ACCOUNTS,
        ADJUST_LOCATIONS,
        APPROVER_ROLES,
        ARCHIVE_ROLES,
        BANK,
        CANCEL_ROLES,
        CAPITAL,
        CASH,
        CLOSE_DAY_ROLES,
        CLOSE_ROLES,
        COGS,
        CREATE_ROLES,
        DEFECTIVE,
        DEFECTIVE_ACTIONS,
        DESTRUCTIVE_ACTIONS,
        DESTRUCTIVE_ROLES,
        EXPORT_PHONE_ROLES,
        FAULT_REASONS,
        FEEDBACK_ROLES,
        FOLLOW_UP_ROLES,
        INVENTORY,
        JOURNAL_KINDS,
        MAX_FEN,
        MAX_ID,
        MAX_QTY,
        MAX_TEXT,
        NEXT_ROLES,
        OTHER_INCOME,
        PAYABLE,
        PAYMENT_METHODS,
        PHONE_ROLES,
        PLATFORM_STATUSES,
        PURCHASE_ROLES,
        REASONS,
        RECEIVABLE,
        REFUND_METHODS,
        RELEASED,
        REST_METHODS,
        RETURNS,
        REVENUE,
        ROLES,
        SALE_CLOCK_SLACK,
        SALES_ROLES,
        SETTLE_ROLES,
        SHOP_CODE_CHARS,
        SHOP_ROLES,
        SLIP_TYPES,
        STATUSES,
        STOCK_ROLES,
        STORE_CREDIT,
        SYSTEM_USER,
        TERMINAL,
        TRANSFER_ROLES,
        TRANSFERS,
        TRANSITIONS,
        UNLOCK_ROLES,
        WAREHOUSE_ROLES,
        WRITE_OFF,
    )
