// Opaque identifiers, unguessable: their random part (83 bits and more) says nothing about the
// victim nor how many cases exist. Case, request and delivery ids begin with the time they were
// minted, to the millisecond, so that ids minted together sort together: the store's indexes then
// grow at their end instead of being rewritten all over at every commit (docs/performance.md).
// That time is the case's creation time, which whoever sees the case sees anyway.
#ifndef GUICHET_HUB_DOMAIN_IDS_H
#define GUICHET_HUB_DOMAIN_IDS_H

#include <string>

namespace guichet {

std::string new_case_id();         // "c_" + 22 base62 characters: 8 of time, 14 random
std::string new_request_id();      // "r_" + 22 base62 characters: 8 of time, 14 random
std::string new_delivery_key();    // the idempotency key an agency sees on every attempt; 26 characters
// Short enough to read over the phone and to put in an email subject: "GCH-" + 8 characters of
// Crockford base32 (no I, L, O, U: nothing to confuse), all random. Two alike are expected among a
// few million requests: the store refuses the second (store::CorrelationTaken) and the intake draws
// again.
std::string new_correlation();

}  // namespace guichet

#endif
