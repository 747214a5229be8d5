#pragma once
// A min-cost max-flow network solved by Boost.Graph: integer capacities and costs, reverse arcs
// as BGL's successive_shortest_path_nonnegative_weights requires. Private to the market.
//
// The graph handed to BGL is a small compressed-sparse-row graph of our own (FlowGraph below)
// that models BGL's IncidenceGraph, VertexListGraph and EdgeListGraph concepts: a node's
// out-arcs are contiguous, an arc descriptor is a pointer to the arc, and everything BGL's
// Dijkstra reads per arc (residual capacity, cost, head, tail) sits together in one record.
// Arcs are collected with add_arc() and laid out in solve() with each node's out-arcs in the
// order they were added, forward and reverse arcs interleaved — exactly the out-edge order of
// the boost::adjacency_list<vecS, vecS, directedS> this replaces — so BGL's successive shortest
// paths, Dijkstra and heap visit arcs in the same order and find the same paths, ties included.
// The object is meant to be reused: reset() keeps every buffer's capacity.

#include <boost/graph/graph_traits.hpp>
#include <boost/graph/properties.hpp>
#include <boost/graph/successive_shortest_path_nonnegative_weights.hpp>
#include <boost/iterator/counting_iterator.hpp>
#include <boost/property_map/property_map.hpp>

#include <cstdint>
#include <utility>
#include <vector>

namespace polarity::model::detail {

/// One directed arc of the residual network.
struct FlowArc {
    std::int64_t residual = 0;  // set by BGL
    std::int64_t cost = 0;
    std::uint32_t source = 0;
    std::uint32_t target = 0;
    std::int64_t capacity = 0;
    FlowArc* reverse = nullptr;
};

/// A directed graph in compressed sparse row form, as BGL sees it. Vertices are 0..n-1, an
/// edge descriptor is a FlowArc* (null: no edge).
struct FlowGraph {
    using vertex_descriptor = std::uint32_t;
    using edge_descriptor = FlowArc*;
    using directed_category = boost::directed_tag;
    using edge_parallel_category = boost::allow_parallel_edge_tag;
    struct traversal_category : boost::incidence_graph_tag,
                                boost::vertex_list_graph_tag,
                                boost::edge_list_graph_tag {};
    using vertex_iterator = boost::counting_iterator<std::uint32_t>;
    using out_edge_iterator = boost::counting_iterator<FlowArc*>;
    using edge_iterator = boost::counting_iterator<FlowArc*>;
    using vertices_size_type = std::uint32_t;
    using edges_size_type = std::size_t;
    using degree_size_type = std::size_t;
    using vertex_property_type = boost::no_property;
    using edge_property_type = boost::no_property;
    using graph_property_type = boost::no_property;
    using vertex_bundled = boost::no_property;
    using edge_bundled = boost::no_property;
    using graph_bundled = boost::no_property;
    static vertex_descriptor null_vertex() { return static_cast<vertex_descriptor>(-1); }

    std::vector<std::uint32_t> start;  // out-arcs of v: arcs[start[v] .. start[v + 1])
    std::vector<FlowArc> arcs;
};

inline std::uint32_t num_vertices(const FlowGraph& g) { return static_cast<std::uint32_t>(g.start.size() - 1); }
inline std::pair<FlowGraph::vertex_iterator, FlowGraph::vertex_iterator> vertices(const FlowGraph& g) {
    return {FlowGraph::vertex_iterator(0u), FlowGraph::vertex_iterator(num_vertices(g))};
}
inline std::size_t num_edges(const FlowGraph& g) { return g.arcs.size(); }
inline std::pair<FlowGraph::edge_iterator, FlowGraph::edge_iterator> edges(const FlowGraph& g) {
    FlowArc* first = const_cast<FlowArc*>(g.arcs.data());
    return {FlowGraph::edge_iterator(first), FlowGraph::edge_iterator(first + g.arcs.size())};
}
inline std::pair<FlowGraph::out_edge_iterator, FlowGraph::out_edge_iterator> out_edges(std::uint32_t v,
                                                                                      const FlowGraph& g) {
    FlowArc* first = const_cast<FlowArc*>(g.arcs.data());
    return {FlowGraph::out_edge_iterator(first + g.start[v]), FlowGraph::out_edge_iterator(first + g.start[v + 1])};
}
inline std::size_t out_degree(std::uint32_t v, const FlowGraph& g) { return g.start[v + 1] - g.start[v]; }
inline std::uint32_t source(const FlowArc* e, const FlowGraph&) { return e->source; }
inline std::uint32_t target(const FlowArc* e, const FlowGraph&) { return e->target; }

/// Read/write property map of one FlowArc member.
template <class T, T FlowArc::*Member>
struct ArcMap : boost::put_get_helper<T&, ArcMap<T, Member>> {
    using key_type = FlowArc*;
    using value_type = T;
    using reference = T&;
    using category = boost::lvalue_property_map_tag;
    T& operator[](FlowArc* e) const { return e->*Member; }
};

class TradeNetwork {
public:
    using Vertex = std::uint32_t;
    using Edge = FlowArc*;

    TradeNetwork() = default;
    explicit TradeNetwork(std::size_t nodes) { reset(nodes); }

    /// Empties the network and gives it `nodes` nodes; buffers keep their capacity.
    void reset(std::size_t nodes) {
        nodes_ = nodes;
        pending_.clear();
    }

    [[nodiscard]] std::size_t add_node() { return nodes_++; }

    /// Adds u→v and its zero-capacity reverse; returns an id for flow().
    std::size_t add_arc(std::size_t u, std::size_t v, std::int64_t capacity, std::int64_t cost) {
        pending_.push_back({static_cast<Vertex>(u), static_cast<Vertex>(v), capacity, cost});
        return pending_.size() - 1;
    }

    /// Min-cost max-flow from `source` to `sink`.
    void solve(std::size_t source, std::size_t sink) {
        layout();
        const std::size_t n = nodes_;
        pred_.assign(n, Edge{});
        dist_.assign(n, 0.0);
        dist_prev_.assign(n, 0.0);
        const boost::typed_identity_property_map<Vertex> index;
        boost::successive_shortest_path_nonnegative_weights(
            g_, static_cast<Vertex>(source), static_cast<Vertex>(sink),
            ArcMap<std::int64_t, &FlowArc::capacity>(), ArcMap<std::int64_t, &FlowArc::residual>(),
            ArcMap<std::int64_t, &FlowArc::cost>(), ArcMap<FlowArc*, &FlowArc::reverse>(), index,
            boost::make_iterator_property_map(pred_.begin(), index),
            boost::make_iterator_property_map(dist_.begin(), index),
            boost::make_iterator_property_map(dist_prev_.begin(), index));
    }

    /// Flow on arc `id` after solve().
    [[nodiscard]] std::int64_t flow(std::size_t id) const {
        const FlowArc& a = g_.arcs[slot_[2 * id]];
        return a.capacity - a.residual;
    }

private:
    struct Pending {
        Vertex u, v;
        std::int64_t capacity, cost;
    };

    /// Lays the arcs out in CSR form. Arc k is directed arc 2k (u→v) followed by 2k+1 (v→u,
    /// the reverse); a stable counting sort by tail keeps each node's out-arcs in that order.
    void layout() {
        auto& start = g_.start;
        auto& arcs = g_.arcs;
        start.assign(nodes_ + 1, 0);
        for (const auto& a : pending_) {
            ++start[a.u + 1];
            ++start[a.v + 1];
        }
        for (std::size_t i = 0; i < nodes_; ++i) start[i + 1] += start[i];
        const std::size_t m = 2 * pending_.size();
        slot_.resize(m);
        arcs.resize(m);
        fill_.assign(start.begin(), start.end() - 1);
        for (std::size_t k = 0; k < pending_.size(); ++k) {
            const Pending& a = pending_[k];
            const std::uint32_t f = fill_[a.u]++;
            const std::uint32_t r = fill_[a.v]++;
            slot_[2 * k] = f;
            slot_[2 * k + 1] = r;
            arcs[f] = FlowArc{0, a.cost, a.u, a.v, a.capacity, &arcs[r]};
            arcs[r] = FlowArc{0, -a.cost, a.v, a.u, 0, &arcs[f]};
        }
    }

    std::size_t nodes_ = 0;
    std::vector<Pending> pending_;
    std::vector<std::uint32_t> fill_, slot_;
    FlowGraph g_;
    std::vector<Edge> pred_;
    // Distances are doubles although costs are integers: BGL adds the potentials of vertices the
    // residual graph no longer reaches (distance = max), which overflows a signed integer (UB)
    // but saturates to +inf in floating point. Path costs stay far below 2^53, so exact.
    std::vector<double> dist_;
    std::vector<double> dist_prev_;
};

}  // namespace polarity::model::detail
