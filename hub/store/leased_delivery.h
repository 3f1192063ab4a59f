// The delivery of a request leased at intake (NewCase::lease), as a claim would have returned it,
// built alike by both stores.
#ifndef GUICHET_HUB_STORE_LEASED_DELIVERY_H
#define GUICHET_HUB_STORE_LEASED_DELIVERY_H

#include "hub/store/records.h"

namespace guichet::store {

inline Delivery leased_delivery(const NewCase& c, const NewRequest& r, int64_t outbox_id, int64_t queued_ms) {
  Delivery d;
  d.outbox_id = outbox_id;
  d.operation = "deliver";
  d.attempts = 1;
  d.idempotency_key = r.delivery_key;
  d.request.id = r.id;
  d.request.case_id = c.id;
  d.request.need = r.need;
  d.request.need_json = r.need_json;
  d.request.instance = r.instance;
  d.request.agency = r.agency;
  d.request.state = "queued";
  d.request.deadline = r.deadline;
  d.request.correlation = r.correlation;
  d.request.delivery_key = r.delivery_key;
  d.request.updated_at = c.at;
  d.case_owner = c.owner;
  d.department = c.department;
  d.first_queued_ms = queued_ms;
  return d;
}

}  // namespace guichet::store

#endif
