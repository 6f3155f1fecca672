#pragma once
// Internal to storage: registering a person inside a transaction another repository runs, so that
// a person and what they are registered for commit together (a card holder and their order).

#include "core/clock.hpp"
#include "core/registry.hpp"
#include "storage/audited_change.hpp"

#include <soci/soci.h>

namespace storage {

/// Inserts `person` (created at `created_at`) in the transaction of `sql`; returns its id and
/// the audit note of "person.create".
Audited<core::PersonId> insertPerson(soci::session& sql, const core::Person& person,
                                     core::TimePoint created_at);

}  // namespace storage
