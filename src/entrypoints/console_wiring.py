"""The staff console's wiring, beside the container (which is near its size limit): the staff use cases
over the SQL staff store and the argon2id hasher, bundled as one `StaffServices`."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.persistence.database import Database
from adapters.persistence.staff import SqlStaffStoreFactory
from application.ports import Clock, SecretKeySource
from application.staff.accounts import (
    AddStaffHandler,
    DisableStaff,
    IssuePasswordLink,
    ListStaff,
    SetStaffPassword,
)
from application.staff.ports import PasswordHasher
from application.staff.sessions import ResolveStaffSession, SignInHandler, SignOut


@dataclass(frozen=True, slots=True)
class StaffServices:
    add: AddStaffHandler
    list: ListStaff
    disable: DisableStaff
    issue_link: IssuePasswordLink
    set_password: SetStaffPassword
    sign_in: SignInHandler
    resolve_session: ResolveStaffSession
    sign_out: SignOut


def staff_services(
    database: Database, passwords: PasswordHasher, keys: SecretKeySource, clock: Clock
) -> StaffServices:
    store = SqlStaffStoreFactory(database)
    return StaffServices(
        add=AddStaffHandler(store, passwords, clock),
        list=ListStaff(store),
        disable=DisableStaff(store, clock),
        issue_link=IssuePasswordLink(store, clock),
        set_password=SetStaffPassword(store, passwords, clock),
        sign_in=SignInHandler(store, passwords, keys, clock),
        resolve_session=ResolveStaffSession(store, clock),
        sign_out=SignOut(store),
    )
