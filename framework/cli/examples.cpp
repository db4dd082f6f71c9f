// One worked example per subcommand, printed by --help under the options
// (cli/command.cpp), so every command's help shows a line that can be pasted.
#include "cli/examples.hpp"

#include <map>

namespace interplay::cli {

const char* command_examples(const std::string& command) {
  static const std::map<std::string, const char*> examples{
      {"compress",
       "  interplay compress --input w.npy --output w_q.npy "
       "--pipeline '[{\"sparsifier\":\"nm\",\"n\":2,\"m\":4},{\"quantizer\":\"mxfp4\"}]'\n"
       "  interplay compress --input model.safetensors --tensors 'model.layers.*.mlp.*.weight' "
       "--pipeline int4 --output model_q.safetensors --report report.csv\n"},
      {"run",
       "  interplay run experiments/order_tensor.json --output results/order_tensor.h5\n"
       "  interplay run experiments/order_tensor.json --reduce --set 'inputs[*].shape=[64,64]' "
       "--output /tmp/quick.h5 --force\n"
       "  interplay run experiments/order_tensor.json --shard 2/3 --output part-2.h5   "
       "# one share of 3 (e.g. a Slurm array task)\n"
       "  mpirun -np 4 interplay run experiments/order_tensor.json --output R.h5   "
       "# an INTERPLAY_MPI=ON build\n"},
      {"merge",
       "  interplay merge part-1.h5 part-2.h5 part-3.h5 --output results/order_tensor.h5\n"},
      {"table", "  interplay table results/order_tensor.h5 --format latex --output table.tex\n"},
      {"prove",
       "  interplay prove --quick\n"
       "  interplay prove --statement T2 --sparsifier unstructured50 --report /tmp/t2.md\n"},
      {"bench",
       "  interplay bench --size 1024 --filter mx\n"
       "  for i in 1 2 3; do interplay bench --json -q > run$i.json; done; "
       "python3 scripts/bench_summary.py run*.json   # medians over runs\n"},
      {"train",
       "  interplay train --model mlp --output data/models/mlp.h5 --epochs 5\n"
       "  interplay train --model mlp --output mlp.boosters.h5 --arithmetic hbfp --schedule "
       "boosters   # HBFP4, HBFP6 in the last epoch and first/last layers\n"
       "  interplay train --model cnn --output cnn.hbfp6.h5 --arithmetic hbfp --mantissa 6 "
       "--settings '{\"arithmetic\": {\"rounding\": {\"gradients\": \"stochastic\"}}}'\n"
       "  interplay train --model gpt --output data/models/gpt.h5\n"},
      {"lm-eval",
       "  interplay lm-eval --model data/models/gpt.h5 --pipeline mxfp4 --activations "
       "--attention --test-limit 100000\n"},
      {"list-plugins", "  interplay list-plugins --json\n"},
  };
  const auto it = examples.find(command);
  return it == examples.end() ? nullptr : it->second;
}

}  // namespace interplay::cli
