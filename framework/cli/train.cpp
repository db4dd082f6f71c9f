// `interplay train --model mlp|cnn|vit|gpt --output FILE.h5 [...]`: trains a
// built-in model (the classifiers on Fashion-MNIST, gpt on the King James
// Bible), evaluates it on the held-out data and writes the weights (HDF5,
// layout in data/README.md).
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/json_text.hpp"
#include "io/atomic_output.hpp"
#include "models/gpt_training.hpp"
#include "models/trainer.hpp"
#include "models/weights_file.hpp"

namespace interplay::cli {
namespace {

// Progress on stderr: a redrawn bar on a terminal, otherwise a line per quarter
// epoch and at least one a minute.
class ProgressBar {
 public:
  // `unit`: what samples_per_second counts ("img", "tok").
  explicit ProgressBar(std::string unit) : tty_(::isatty(2) != 0), unit_(std::move(unit)) {}

  void update(const TrainProgress& p) {
    const bool last = p.batch == p.batches;
    const auto now = std::chrono::steady_clock::now();
    // ETA from the mean time per step so far (every step costs about the same).
    const double done = double((p.epoch - 1) * p.batches + p.batch);
    const double eta = p.seconds / done * (double(p.epochs * p.batches) - done);
    if (tty_) {
      if (!last && now - last_draw_ < std::chrono::milliseconds(100)) return;
      last_draw_ = now;
      const int width = 24, filled = int(double(width) * double(p.batch) / double(p.batches));
      std::fprintf(stderr,
                   "\repoch %zu/%zu [%s%s] batch %zu/%zu  loss %.4f  %.0f %s/s  %.0fs  ETA %.0fs ",
                   p.epoch, p.epochs, std::string(std::size_t(filled), '=').c_str(),
                   std::string(std::size_t(width - filled), ' ').c_str(), p.batch, p.batches,
                   p.loss, p.samples_per_second, unit_.c_str(), p.seconds, eta);
      if (last) std::fputc('\n', stderr);
    } else {
      // A line per quarter epoch, and at least one a minute (a gpt epoch takes 15+ min).
      const std::size_t quarter = std::max<std::size_t>(p.batches / 4, 1);
      if (!last && p.batch % quarter != 0 && now - last_draw_ < std::chrono::seconds(60)) return;
      last_draw_ = now;
      std::fprintf(stderr, "epoch %zu/%zu batch %zu/%zu loss %.4f %.0f %s/s %.0fs ETA %.0fs\n",
                   p.epoch, p.epochs, p.batch, p.batches, p.loss, p.samples_per_second,
                   unit_.c_str(), p.seconds, eta);
    }
    std::fflush(stderr);
  }

 private:
  bool tty_;
  std::string unit_;
  std::chrono::steady_clock::time_point last_draw_{};
};

// The gpt branch: the Bible split instead of Fashion-MNIST, perplexity instead of accuracy.
int train_gpt(Model& model, const TrainConfig& config, const std::string& output,
              std::size_t train_limit, std::size_t eval_limit, bool quiet) {
  ProgressBar bar("tok");
  const GptTrainingRun run = train_gpt_on_bible(
      model, config, train_limit, eval_limit,
      [&](const TrainProgress& p) {
        if (!quiet) bar.update(p);
      },
      [&](const std::string& line) {
        if (!quiet) std::cerr << line << "\n";
      });
  save_model(model, output, run.training);
  std::printf(
      "gpt: test perplexity %.4f per byte (%.4f bits/byte, %zu bytes), validation %.4f (%.4f "
      "bits/byte); trained in %.1f s -> %s\n",
      run.test.perplexity(), run.test.bits_per_byte(), run.test.bytes, run.validation.perplexity(),
      run.validation.bits_per_byte(), run.seconds, output.c_str());
  std::printf("gpt: training %s\n", mac_summary(run.macs).c_str());
  return 0;
}

json parse_json_option(const std::string& text, const std::string& option) {
  return parse_json(text, option);
}

// --arithmetic, --mantissa, --block and --schedule override the keys of the
// "arithmetic" object in the settings; the last three imply hbfp.
void merge_arithmetic_options(const po::variables_map& vm, json& settings) {
  const bool any =
      vm.count("arithmetic") || vm.count("mantissa") || vm.count("block") || vm.count("schedule");
  if (!any) return;
  json a = settings.contains("arithmetic") ? settings["arithmetic"] : json::object();
  if (a.is_string()) a = json{{"format", a}};
  if (!a.is_object()) return;  // TrainConfig::from_json reports it
  if (vm.count("arithmetic")) a["format"] = vm["arithmetic"].as<std::string>();
  if (vm.count("mantissa")) a["mantissa"] = vm["mantissa"].as<int>();
  if (vm.count("block")) a["block"] = vm["block"].as<std::size_t>();
  if (vm.count("schedule")) a["schedule"] = vm["schedule"].as<std::string>();
  settings["arithmetic"] = a;
}

}  // namespace

int cmd_train(const std::vector<std::string>& args) {
  po::options_description opts("train options");
  opts.add_options()("model", po::value<std::string>()->required(), "mlp | cnn | vit | gpt")(
      "output,o", po::value<std::string>()->required(), "weights file to write (.h5)")(
      "epochs", po::value<std::size_t>(), "training epochs (default per model)")(
      "seed", po::value<std::uint64_t>()->default_value(0), "initialisation and shuffling seed")(
      "batch", po::value<std::size_t>(), "mini-batch size (default 128; gpt: 8 windows)")(
      "lr", po::value<double>(), "peak learning rate (default per model)")(
      "arch", po::value<std::string>(), "architecture overrides as JSON, e.g. '{\"depth\": 2}'")(
      "settings", po::value<std::string>(),
      "other training settings as JSON (optimizer, weight_decay, momentum, warmup_steps, cosine, "
      "arithmetic)")(
      "arithmetic", po::value<std::string>(),
      "GEMM arithmetic in training: fp32 (default) or hbfp (both operands of every matmul in "
      "hybrid block floating point, FP32 accumulation; data/README.md)")(
      "mantissa", po::value<int>(),
      "hbfp: mantissa width k of HBFPk, sign included (default 4; 2..24)")(
      "block", po::value<std::size_t>(), "hbfp: elements per shared exponent (default 64)")(
      "schedule", po::value<std::string>(),
      "hbfp: boosters (HBFP4, HBFP6 in the last epoch and the first/last layers) or constant; "
      "the full schedule is the \"arithmetic\" object of --settings")(
      "train-limit", po::value<std::size_t>()->default_value(0),
      "use only the first N training images (gpt: bytes) (0 = all)")(
      "test-limit", po::value<std::size_t>()->default_value(0),
      "evaluate on the first N test images (gpt: validation and test bytes) (0 = all)")(
      "quiet,q", "no progress output");
  po::variables_map vm;
  if (!parse_command_line("train", "--model mlp|cnn|vit|gpt --output FILE.h5 [options]", args, opts,
                          {}, vm))
    return 0;

  const std::string model_name = vm["model"].as<std::string>();
  json arch =
      vm.count("arch") ? parse_json_option(vm["arch"].as<std::string>(), "--arch") : json::object();
  if (!arch.is_object()) throw Error("--arch: expected a JSON object");
  arch["model"] = model_name;
  Model model(arch, "--arch");

  TrainConfig config = default_train_config(model_name);
  json settings = vm.count("settings")
                      ? parse_json_option(vm["settings"].as<std::string>(), "--settings")
                      : json::object();
  if (!settings.is_object()) throw Error("--settings: expected a JSON object");
  merge_arithmetic_options(vm, settings);
  config = TrainConfig::from_json(settings, "--settings", config);
  if (vm.count("epochs")) config.epochs = vm["epochs"].as<std::size_t>();
  if (vm.count("batch")) config.batch = vm["batch"].as<std::size_t>();
  if (vm.count("lr")) {
    config.lr = vm["lr"].as<double>();
    if (!std::isfinite(config.lr) || config.lr <= 0)
      throw Error("--lr: expected a positive finite number, got " + std::to_string(config.lr));
  }
  config.seed = vm["seed"].as<std::uint64_t>();
  if (config.batch == 0) throw Error("--batch: must be positive");

  // Fail on an unwritable output before spending minutes training.
  const std::string output = vm["output"].as<std::string>();
  const auto parent = std::filesystem::path(output).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  { io::AtomicOutput probe(output); }  // creates and removes a temporary beside it

  const bool quiet = vm.count("quiet") > 0;
  if (model_name == "gpt")
    return train_gpt(model, config, output, vm["train-limit"].as<std::size_t>(),
                     vm["test-limit"].as<std::size_t>(), quiet);
  const Dataset train = load_fashion_mnist("train", vm["train-limit"].as<std::size_t>());
  const Dataset test = load_fashion_mnist("test", vm["test-limit"].as<std::size_t>());
  model.init(config.seed);
  if (!quiet)
    std::cerr << "training " << model_name << " (" << model.parameter_count() << " parameters) on "
              << train.size() << " images: " << config.to_json().dump() << "\n";
  ProgressBar bar("img");
  const TrainResult r = train_model(model, train, config, [&](const TrainProgress& p) {
    if (!quiet) bar.update(p);
  });
  const EvalResult e = evaluate_model(model, test);

  json training = config.to_json();
  training["train_images"] = train.size();
  training["epoch_loss"] = r.epoch_loss;
  training["train_seconds"] = r.seconds;
  training["test_images"] = e.count;
  training["test_accuracy"] = e.accuracy;
  training["test_loss"] = e.loss;
  training["macs"] = r.macs;
  save_model(model, output, training);
  std::printf("%s: test accuracy %.2f %%, test loss %.4f (%zu images); trained in %.1f s -> %s\n",
              model_name.c_str(), 100.0 * e.accuracy, e.loss, e.count, r.seconds, output.c_str());
  std::printf("%s: training %s\n", model_name.c_str(), mac_summary(r.macs).c_str());
  return 0;
}

}  // namespace interplay::cli
