// Opaque identifiers. Random, so an id says nothing about the victim nor how many cases exist.
#ifndef GUICHET_HUB_DOMAIN_IDS_H
#define GUICHET_HUB_DOMAIN_IDS_H

#include <string>

namespace guichet {

std::string new_case_id();         // "c_" + 22 base62 characters
std::string new_request_id();      // "r_" + 22 base62 characters
std::string new_delivery_key();    // the idempotency key an agency sees on every attempt
// Short enough to read over the phone and to put in an email subject: "GCH-" + 8 characters of
// Crockford base32 (no I, L, O, U: nothing to confuse).
std::string new_correlation();

}  // namespace guichet

#endif
