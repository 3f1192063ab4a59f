// Runs a function every `period` on its own thread, from construction until destruction.
#ifndef GUICHET_SIM_COMMON_PERIODIC_TASK_HPP
#define GUICHET_SIM_COMMON_PERIODIC_TASK_HPP

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace guichet::sim {

class PeriodicTask {
 public:
  // `task` must not throw; it runs on the task's thread only, never twice at once.
  PeriodicTask(std::chrono::milliseconds period, std::function<void()> task);
  // Waits for a run in progress to finish.
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  void run();

  const std::chrono::milliseconds period_;
  const std::function<void()> task_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last, so it starts after everything it uses
};

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_PERIODIC_TASK_HPP
