#pragma once
// A min-cost max-flow network on Boost.Graph: integer capacities and costs, reverse arcs as
// BGL's successive_shortest_path_nonnegative_weights requires. Private to the market.

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/successive_shortest_path_nonnegative_weights.hpp>

#include <cstdint>
#include <vector>

namespace polarity::model::detail {

class TradeNetwork {
public:
    using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
    using Edge = Traits::edge_descriptor;
    struct Arc {
        std::int64_t capacity = 0;
        std::int64_t residual = 0;
        std::int64_t cost = 0;
        Edge reverse;
    };
    using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS,
                                       boost::no_property, Arc>;

    explicit TradeNetwork(std::size_t nodes) : g_(nodes) {}

    [[nodiscard]] std::size_t add_node() { return boost::add_vertex(g_); }

    /// Adds u→v and its zero-capacity reverse; returns an id for flow().
    std::size_t add_arc(std::size_t u, std::size_t v, std::int64_t capacity, std::int64_t cost) {
        const Edge e = boost::add_edge(u, v, Arc{capacity, 0, cost, {}}, g_).first;
        const Edge f = boost::add_edge(v, u, Arc{0, 0, -cost, {}}, g_).first;
        g_[e].reverse = f;
        g_[f].reverse = e;
        arcs_.push_back(e);
        return arcs_.size() - 1;
    }

    /// Min-cost max-flow from `source` to `sink`.
    void solve(std::size_t source, std::size_t sink) {
        const std::size_t n = boost::num_vertices(g_);
        pred_.assign(n, Edge{});
        dist_.assign(n, 0.0);
        dist_prev_.assign(n, 0.0);
        const auto index = boost::get(boost::vertex_index, g_);
        boost::successive_shortest_path_nonnegative_weights(
            g_, source, sink, boost::get(&Arc::capacity, g_), boost::get(&Arc::residual, g_),
            boost::get(&Arc::cost, g_), boost::get(&Arc::reverse, g_), index,
            boost::make_iterator_property_map(pred_.begin(), index),
            boost::make_iterator_property_map(dist_.begin(), index),
            boost::make_iterator_property_map(dist_prev_.begin(), index));
    }

    /// Flow on arc `id` after solve().
    [[nodiscard]] std::int64_t flow(std::size_t id) const {
        const Arc& a = g_[arcs_[id]];
        return a.capacity - a.residual;
    }

private:
    Graph g_;
    std::vector<Edge> arcs_;
    std::vector<Edge> pred_;
    // Distances are doubles although costs are integers: BGL adds the potentials of vertices the
    // residual graph no longer reaches (distance = max), which overflows a signed integer (UB)
    // but saturates to +inf in floating point. Path costs stay far below 2^53, so exact.
    std::vector<double> dist_;
    std::vector<double> dist_prev_;
};

}  // namespace polarity::model::detail
