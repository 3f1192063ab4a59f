// The e-mail agencies' replies and accounts file: what tests elsewhere predict from a request's
// sequence number must hold here first. (The POP3 and SMTP round trip is in
// tests/integration/email_agencies_test.cpp, with the real servers.)
#include "email_agencies/accounts.hpp"
#include "email_agencies/replies.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace guichet::sim::email {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(EmailAgencyReplies, DecisionFollowsTheRequestSequence) {
  std::vector<std::string> names;
  for (int sequence = 1; sequence <= 10; ++sequence) names.push_back(decision_name(decision_for(sequence)));
  EXPECT_EQ(names, (std::vector<std::string>{"accepted", "accepted", "accepted", "question", "refused", "accepted",
                                             "free_text", "question", "accepted", "refused"}));
  EXPECT_EQ(decision_for(28), Decision::free_text);  // every 7th wins over every 4th
  EXPECT_EQ(decision_for(20), Decision::question);   // every 4th wins over every 5th
}

TEST(EmailAgencyReplies, ReferencesCarryThePrefixAndFourDigits) {
  EXPECT_EQ(agency_reference("SIAO-95", 42), "SIAO-95-0042");
  EXPECT_EQ(agency_reference("PE-95", 12345), "PE-95-12345");
}

TEST(EmailAgencyReplies, TextsSayWhatTheConnectorsLookFor) {
  for (AgencyKind kind : {AgencyKind::siao, AgencyKind::childcare, AgencyKind::association, AgencyKind::cidff}) {
    std::string ack = acknowledgement_text(kind, "X-1");
    EXPECT_TRUE(contains(ack, "Bonjour,\n\nNous accusons réception de votre demande. Notre référence : X-1.")) << ack;
    EXPECT_TRUE(contains(decision_text(kind, Decision::accepted, "X-1"), "(notre référence : X-1) est acceptée : "));
    std::string refused = decision_text(kind, Decision::refused, "X-1");
    EXPECT_TRUE(contains(refused, "nous ne pouvons pas y donner suite, motif : ")) << refused;
    std::string question = decision_text(kind, Decision::question, "X-1");
    EXPECT_TRUE(contains(question, "pourriez-vous nous préciser ")) << question;
    EXPECT_TRUE(contains(question, " ?\n")) << question;
    std::string free = decision_text(kind, Decision::free_text, "X-1");
    for (const char* keyword : {"accus", "réception", "accept", "refus", "pouvons", "?", "X-1"}) {
      EXPECT_FALSE(contains(free, keyword)) << keyword;
    }
    EXPECT_TRUE(contains(withdrawal_text(kind, "X-1"), "accusons réception du retrait de votre demande. "
                                                       "Notre référence : X-1."));
    EXPECT_FALSE(contains(withdrawal_text(kind, ""), "référence"));
  }
}

std::string write_accounts(const std::string& content) {
  std::string path = ::testing::TempDir() + "email-agencies-accounts.json";
  std::ofstream(path) << content;
  return path;
}

TEST(EmailAgencyAccounts, LoadsEveryKind) {
  auto accounts = load_accounts(write_accounts(R"({"accounts":[
      {"address":"siao95@siao.example.org","password":"p1","kind":"siao","prefix":"SIAO-95"},
      {"address":"cidff@cidff95.example.org","password":"p2","kind":"cidff","prefix":"CIDFF-95"}]})"));
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].address, "siao95@siao.example.org");
  EXPECT_EQ(accounts[0].kind, AgencyKind::siao);
  EXPECT_EQ(accounts[1].kind, AgencyKind::cidff);
  EXPECT_EQ(accounts[1].prefix, "CIDFF-95");
}

TEST(EmailAgencyAccounts, NamesTheWrongEntryByIndexNeverByAddress) {
  try {
    load_accounts(write_accounts(R"({"accounts":[
        {"address":"secret@agency.example.org","password":"p","kind":"police","prefix":"P"}]})"));
    FAIL() << "an unknown kind was accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()), "accounts[0].kind must be siao, childcare, association or cidff");
  }
  EXPECT_THROW(load_accounts(write_accounts(R"({"accounts":[]})")), std::invalid_argument);
  EXPECT_THROW(load_accounts(write_accounts("not json")), std::invalid_argument);
  EXPECT_THROW(load_accounts("/nonexistent/accounts.json"), std::invalid_argument);
}

}  // namespace
}  // namespace guichet::sim::email
