#include "storage/audit_repository.hpp"

#include "storage/audit_log.hpp"
#include "storage/transaction.hpp"

namespace storage {

namespace {

/// Records verify() reads at once, so that memory stays bounded for a long chain.
constexpr int kVerifyPage = 1000;

}  // namespace

core::Result<audit::Record> AuditRepository::append(const audit::Event& event) {
  return inTransaction(database_, TransactionMode::write,
                       [&](soci::session& sql) -> core::Result<audit::Record> {
                         return appendAuditRecord(sql, database_.dialect(), event);
                       });
}

core::Result<std::vector<audit::Record>> AuditRepository::find(const AuditQuery& query) {
  return withSession(database_,
                     [&](soci::session& sql) -> core::Result<std::vector<audit::Record>> {
                       return readAuditRecords(sql, query);
                     });
}

core::Result<std::optional<audit::ChainBreak>> AuditRepository::verify() {
  // One read transaction: the pages come from the same snapshot even while others append.
  return inTransaction(database_, TransactionMode::read,
                       [&](soci::session& sql) -> core::Result<std::optional<audit::ChainBreak>> {
                         std::optional<audit::Record> previous;
                         AuditQuery page{.limit = kVerifyPage};
                         for (;;) {
                           const auto records = readAuditRecords(sql, page);
                           if (records.empty()) return std::nullopt;
                           if (auto broken = audit::verifyChain(records, previous)) return broken;
                           previous = records.back();
                           page.after_sequence = previous->sequence;
                         }
                       });
}

}  // namespace storage
