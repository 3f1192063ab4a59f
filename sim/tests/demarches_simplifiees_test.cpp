#include "demarches_simplifiees/demarches_simplifiees_simulator.hpp"
#include "demarches_simplifiees/graphql_request.hpp"
#include "tests/test_client.hpp"

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <thread>

namespace guichet::sim::demarches_simplifiees {
namespace {

using namespace std::chrono_literals;
using testing::TestClient;

const std::string kQuery =
    "query suiviDossiers($demarche: Int!, $since: ISO8601DateTime, $after: String) {\n"
    "  demarche(number: $demarche) {\n"
    "    dossiers(updatedSince: $since, first: 100, after: $after) {\n"
    "      nodes { number state motivation dateDerniereModification }\n"
    "      pageInfo { endCursor hasNextPage }\n"
    "    }\n  }\n}\n";

nlohmann::json query(const nlohmann::json& variables) { return {{"query", kQuery}, {"variables", variables}}; }

// Records the form fields of each webhook call.
class FormReceiver {
 public:
  FormReceiver() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port_ = socket.address().port();
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, new Poco::Net::HTTPServerParams);
    server_->start();
  }
  ~FormReceiver() { server_->stopAll(true); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1/inbound/ds-95"; }
  std::vector<std::map<std::string, std::string>> wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    arrived_.wait_for(lock, 3s, [&] { return calls_.size() >= count; });
    return calls_;
  }

 private:
  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(FormReceiver& receiver) : receiver_(receiver) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
      Poco::Net::HTMLForm form(request, request.stream());
      std::map<std::string, std::string> call(form.begin(), form.end());
      call["content-type"] = request.getContentType();
      call["signature"] = request.get("X-Signature", "");
      {
        std::lock_guard lock(receiver_.mutex_);
        receiver_.calls_.push_back(call);
      }
      receiver_.arrived_.notify_all();
      response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
      response.send();
    }

   private:
    FormReceiver& receiver_;
  };
  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(FormReceiver& receiver) : receiver_(receiver) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new Handler(receiver_);
    }

   private:
    FormReceiver& receiver_;
  };

  std::uint16_t port_ = 0;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<std::map<std::string, std::string>> calls_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

class DsTest : public ::testing::Test {
 protected:
  void run(std::chrono::milliseconds step, const std::string& webhook_url = "") {
    DsSettings settings;
    settings.rest.agency = "demarches_simplifiees";
    settings.token = "t0k";
    settings.step = step;
    settings.webhook_url = webhook_url;
    simulator_ = std::make_unique<DsSimulator>(settings);
    simulator_->start();
    client_ = std::make_unique<TestClient>(simulator_->port());
  }
  void SetUp() override { run(10s); }

  testing::Reply prefill(const std::string& key, const nlohmann::json& champs = {{"champ_Q2hhbXAtMQ==", "Benali"}}) {
    return client_->post("/api/public/v1/demarches/4242/dossiers", champs.dump(), {{"Idempotency-Key", key}});
  }
  testing::Reply graphql(const nlohmann::json& body, const std::string& authorization = "Bearer t0k") {
    return client_->post("/api/v2/graphql", body.dump(), {{"Authorization", authorization}});
  }
  nlohmann::json dossiers(const nlohmann::json& answer) { return answer["data"]["demarche"]["dossiers"]; }

  std::unique_ptr<DsSimulator> simulator_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(DsTest, PrefillNeedsNoTokenAndAnswersTheDossier) {
  const auto reply = prefill("k-1");
  ASSERT_EQ(reply.status, 201) << reply.body;
  const auto body = reply.json();
  EXPECT_EQ(body["dossier_number"], 1001);
  EXPECT_EQ(body["dossier_id"], "RG9zc2llci0xMDAx");
  EXPECT_NE(body["dossier_url"].get<std::string>().find("/commencer/demarche-4242?prefill_token="), std::string::npos);
  EXPECT_EQ(prefill("k-1").json()["dossier_number"], 1001);  // same key, same dossier
  EXPECT_EQ(client_->get("/_received").json()["effects"], 1);
  EXPECT_EQ(prefill("k-2", {{"nom", "Benali"}}).status, 400);
}

TEST_F(DsTest, GraphqlNeedsTheToken) {
  EXPECT_EQ(graphql(query({{"demarche", 4242}}), "Bearer wrong").status, 401);
  EXPECT_EQ(graphql(query({{"demarche", 4242}}), "Bearer token=t0k").status, 200);
}

TEST_F(DsTest, AnswersTheDossiersPageWithCursorsAndUpdatedSince) {
  for (int i = 1; i <= 3; ++i) ASSERT_EQ(prefill("k-" + std::to_string(i)).status, 201);
  auto first = dossiers(graphql({{"query", "{ demarche(number: 4242) { dossiers(first: 2) { nodes { number state } } } }"}}).json());
  ASSERT_EQ(first["nodes"].size(), 2u);
  EXPECT_EQ(first["nodes"][0]["state"], "en_construction");
  EXPECT_EQ(first["pageInfo"]["hasNextPage"], true);
  auto rest = dossiers(graphql(query({{"demarche", 4242}, {"after", first["pageInfo"]["endCursor"]}})).json());
  ASSERT_EQ(rest["nodes"].size(), 1u);
  EXPECT_EQ(rest["nodes"][0]["number"], 1003);
  EXPECT_EQ(rest["pageInfo"]["hasNextPage"], false);
  auto later = dossiers(graphql(query({{"demarche", 4242}, {"since", "2036-01-01T00:00:00Z"}})).json());
  EXPECT_TRUE(later["nodes"].empty());
  auto other = dossiers(graphql(query({{"demarche", 7}})).json());
  EXPECT_TRUE(other["nodes"].empty());
  EXPECT_EQ(graphql({{"query", "{ viewer { id } }"}}).json()["errors"][0]["extensions"]["code"], "graphql_parse_error");
}

TEST_F(DsTest, StatesMoveAlongWithRefusalsAndClosures) {
  simulator_.reset();
  run(40ms);
  for (int i = 1; i <= 7; ++i) ASSERT_EQ(prefill("k-" + std::to_string(i)).status, 201);
  std::this_thread::sleep_for(150ms);
  std::map<int, nlohmann::json> by_number;
  const nlohmann::json page = dossiers(graphql(query({{"demarche", 4242}})).json());
  for (const auto& node : page["nodes"]) by_number[node["number"].get<int>()] = node;
  ASSERT_EQ(by_number.size(), 7u);
  EXPECT_EQ(by_number[1001]["state"], "accepte");
  EXPECT_EQ(by_number[1001]["motivation"], nullptr);
  EXPECT_EQ(by_number[1005]["state"], "refuse");
  EXPECT_FALSE(by_number[1005]["motivation"].get<std::string>().empty());
  EXPECT_EQ(by_number[1007]["state"], "sans_suite");
}

TEST_F(DsTest, TheTimeoutKnobAnswersARootErrorWithPartialData) {
  for (int i = 1; i <= 3; ++i) ASSERT_EQ(prefill("k-" + std::to_string(i)).status, 201);
  EXPECT_EQ(client_->post("/_graphql_faults", R"({"timeout_rate":1})").status, 200);
  const auto answer = graphql(query({{"demarche", 4242}})).json();
  EXPECT_EQ(answer["errors"][0]["extensions"]["code"], "timeout");
  EXPECT_EQ(dossiers(answer)["nodes"].size(), 1u);
  EXPECT_EQ(client_->post("/_graphql_faults", R"({"timeout_rate":2})").status, 400);
}

TEST_F(DsTest, WebhooksAreUnsignedFormPostsOnEveryChange) {
  FormReceiver receiver;
  simulator_.reset();
  run(40ms, receiver.url());
  ASSERT_EQ(prefill("k-1").status, 201);
  const auto calls = receiver.wait_for(2);
  ASSERT_GE(calls.size(), 2u);
  EXPECT_EQ(calls[0].at("procedure_id"), "4242");
  EXPECT_EQ(calls[0].at("dossier_id"), "RG9zc2llci0xMDAx");
  EXPECT_EQ(calls[0].at("state"), "en_instruction");
  EXPECT_EQ(calls[1].at("state"), "accepte");
  EXPECT_FALSE(calls[0].at("updated_at").empty());
  EXPECT_EQ(calls[0].at("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(calls[0].at("signature"), "");
}

TEST(DsGraphqlRequest, ReadsArgumentsGivenLiterallyOrAsVariables) {
  auto literal = parse_dossiers_query({{"query", R"({ demarche(number: 12) { dossiers(updatedSince: "2026-01-01T00:00:00Z", first: 5) { nodes { number } } } })"}});
  ASSERT_TRUE(literal);
  EXPECT_EQ(literal->demarche, 12);
  EXPECT_EQ(literal->updated_since, "2026-01-01T00:00:00Z");
  EXPECT_EQ(literal->first, 5);
  auto variables = parse_dossiers_query(query({{"demarche", 4242}, {"since", nullptr}, {"after", "100"}}));
  ASSERT_TRUE(variables);
  EXPECT_EQ(variables->demarche, 4242);
  EXPECT_FALSE(variables->updated_since);
  EXPECT_EQ(variables->after, "100");
  EXPECT_FALSE(parse_dossiers_query(query(nlohmann::json::object())));
  EXPECT_FALSE(parse_dossiers_query({{"query", 3}}));
}

}  // namespace
}  // namespace guichet::sim::demarches_simplifiees
