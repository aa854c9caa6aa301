<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>patchbay::ui::AttentionGrid</name>
    <message>
        <source>a%1.h%2 · query %3, key %4</source>
        <translation>a%1.h%2 · 查询 %3，键 %4</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::ComputeWorker</name>
    <message>
        <source> (%1 steps)</source>
        <translation>（%1 步）</translation>
    </message>
    <message>
        <source> (τ %1)</source>
        <translation>（τ %1）</translation>
    </message>
    <message>
        <source> per position</source>
        <translation>（逐位置）</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>未加载模型。</translation>
    </message>
    <message>
        <source>Preparing the reference activations</source>
        <translation>正在准备参照激活</translation>
    </message>
    <message>
        <source>The computation failed with an unnamed error.</source>
        <translation>计算因未命名的错误而失败。</translation>
    </message>
    <message>
        <source>The computation failed with an unknown error.</source>
        <translation>计算因未知错误而失败。</translation>
    </message>
    <message>
        <source>circuit metric</source>
        <translation>电路指标</translation>
    </message>
    <message>
        <source>The circuit has %1 edges but the model&apos;s graph has %2.</source>
        <translation>该电路有 %1 条边，但模型的图有 %2 条。</translation>
    </message>
    <message>
        <source>attention patterns</source>
        <translation>注意力模式</translation>
    </message>
    <message>
        <source>logit lens</source>
        <translation>Logit 透镜</translation>
    </message>
    <message>
        <source> (k/v per query head)</source>
        <translation>（每个查询头的 k/v）</translation>
    </message>
    <message>
        <source>generated %1</source>
        <translation>生成的 %1</translation>
    </message>
    <message>
        <source>unnamed pairs</source>
        <translation>未命名的提示对</translation>
    </message>
    <message>
        <source>finding induction heads</source>
        <translation>查找归纳头</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::GraphCanvas</name>
    <message>
        <source>Name %1…</source>
        <translation>命名 %1…</translation>
    </message>
    <message>
        <source>Group %1…</source>
        <translation>为 %1 分组…</translation>
    </message>
    <message>
        <source>Patch or restore its edges</source>
        <translation>修补或恢复其边</translation>
    </message>
    <message>
        <source>Top n</source>
        <translation>前 n 条</translation>
    </message>
    <message>
        <source>|score| ≥</source>
        <translation>|得分| ≥</translation>
    </message>
    <message>
        <source>Share of Σ|score|</source>
        <translation>Σ|得分| 的占比</translation>
    </message>
    <message>
        <source>In circuit</source>
        <translation>电路内</translation>
    </message>
    <message>
        <source>Which edges are drawn</source>
        <translation>绘制哪些边</translation>
    </message>
    <message>
        <source>Colour by sign</source>
        <translation>按符号着色</translation>
    </message>
    <message>
        <source>Colour by q/k/v</source>
        <translation>按 q/k/v 着色</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Zoom to the whole graph (wheel: zoom, middle button: pan)</source>
        <translation>缩放到整个图（滚轮：缩放，中键：平移）</translation>
    </message>
    <message>
        <source>Patch</source>
        <translation>修补</translation>
    </message>
    <message>
        <source>Patch the selected edges and the edges of the selected nodes (drag a box to select)</source>
        <translation>修补所选的边以及所选节点的边（拖出方框进行选择）</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Restore the selected edges and the edges of the selected nodes</source>
        <translation>恢复所选的边以及所选节点的边</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <source>The circuit becomes the drawn top edges of the current scores</source>
        <translation>电路变为当前得分中绘制出的最高边</translation>
    </message>
    <message>
        <source>No circuit yet: run an edge method (EAP, EAP-IG, ACDC, …) or import a circuit file.</source>
        <translation>尚无电路：请运行一种边方法（EAP、EAP-IG、ACDC……）或导入电路文件。</translation>
    </message>
    <message>
        <source>%1 · %2 edges, %3 in the circuit</source>
        <translation>%1 · %2 条边，电路中 %3 条</translation>
    </message>
    <message>
        <source>%1 edges</source>
        <translation>%1 条边</translation>
    </message>
    <message>
        <source>%1 in circuit</source>
        <translation>电路中 %1 条</translation>
    </message>
    <message>
        <source> (%1 drawn)</source>
        <translation>（绘制 %1 条）</translation>
    </message>
    <message>
        <source>The graph could not be laid out: %1</source>
        <translation>无法对图进行布局：%1</translation>
    </message>
    <message>
        <source>
score %1 (the metric&apos;s estimated change when patched)</source>
        <translation>
得分 %1（修补后指标的估计变化）</translation>
    </message>
    <message>
        <source>
click to patch or restore</source>
        <translation>
单击以修补或恢复</translation>
    </message>
    <message>
        <source>Patch %1</source>
        <translation>修补 %1</translation>
    </message>
    <message>
        <source>Restore %1</source>
        <translation>恢复 %1</translation>
    </message>
    <message>
        <source>Patch the edges of %1</source>
        <translation>修补 %1 的边</translation>
    </message>
    <message>
        <source>Restore the edges of %1</source>
        <translation>恢复 %1 的边</translation>
    </message>
    <message>
        <source>Reset to the top %1</source>
        <translation>重置为前 %1 条</translation>
    </message>
    <message numerus="yes">
        <source>Restore %n edges</source>
        <translation>
            <numerusform>恢复 %n 条边</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Patch %n edges</source>
        <translation>
            <numerusform>修补 %n 条边</numerusform>
        </translation>
    </message>
    <message>
        <source>undefined</source>
        <translation>未定义</translation>
    </message>
    <message>
        <source>&lt;b&gt;metric %1&lt;/b&gt; · faithfulness &lt;b&gt;%2&lt;/b&gt; · clean %3 · all patched %4 · %5 of %6 edges kept</source>
        <translation>&lt;b&gt;指标 %1&lt;/b&gt; · 忠实度 &lt;b&gt;%2&lt;/b&gt; · 干净 %3 · 全部修补 %4 · 保留 %6 条边中的 %5 条</translation>
    </message>
    <message>
        <source>Group of %1</source>
        <translation>%1 的分组</translation>
    </message>
    <message>
        <source>Name of %1</source>
        <translation>%1 的名称</translation>
    </message>
    <message>
        <source>Group (empty: none)</source>
        <translation>分组（留空：无）</translation>
    </message>
    <message>
        <source>Label (empty: none)</source>
        <translation>标签（留空：无）</translation>
    </message>
    <message>
        <source>There is no graph to export.</source>
        <translation>没有可导出的图。</translation>
    </message>
    <message>
        <source>%1 cannot be written.</source>
        <translation>无法写入 %1。</translation>
    </message>
    <message>
        <source>%1: choose .svg or .png for a drawing.</source>
        <translation>%1：图形请选择 .svg 或 .png。</translation>
    </message>
    <message>
        <source>
measured: patching it changed the metric by %1</source>
        <translation>
实测：修补它使指标变化了 %1</translation>
    </message>
    <message>
        <source>1 edge</source>
        <translation>1 条边</translation>
    </message>
    <message>
        <source>≥ %1: %2</source>
        <translation>≥ %1：%2</translation>
    </message>
    <message>
        <source>%1%: %2</source>
        <translation>%1%：%2</translation>
    </message>
    <message>
        <source>The filter&apos;s number: edges drawn, the |score| threshold, or the share of Σ|score| in %</source>
        <translation>筛选器的数值：绘制的边数、|得分| 阈值，或占 Σ|得分| 的百分比</translation>
    </message>
    <message>
        <source>query</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>MLP, logits</source>
        <translation>MLP、logits</translation>
    </message>
    <message>
        <source>metric rises when patched</source>
        <translation>修补后指标上升</translation>
    </message>
    <message>
        <source>metric falls when patched</source>
        <translation>修补后指标下降</translation>
    </message>
    <message>
        <source>no scores</source>
        <translation>无分数</translation>
    </message>
    <message>
        <source>width ∝ |score| (widest %1)</source>
        <translation>宽度 ∝ |分数|（最宽 %1）</translation>
    </message>
    <message>
        <source>dashed: patched</source>
        <translation>虚线：已修补</translation>
    </message>
    <message>
        <source>Find a node…</source>
        <translation>查找节点…</translation>
    </message>
    <message>
        <source>A node&apos;s name (a1.h3, m0, logits), label or group; Enter selects it</source>
        <translation>节点的名称（a1.h3、m0、logits）、标签或分组；按 Enter 选中</translation>
    </message>
    <message>
        <source>Edge</source>
        <translation>边</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>分数</translation>
    </message>
    <message>
        <source>In the circuit (unticked: patched to its reference)</source>
        <translation>在电路中（未勾选：修补为参考值）</translation>
    </message>
    <message>
        <source>%1: %2 in, %3 out</source>
        <translation>%1：%2 条入边，%3 条出边</translation>
    </message>
    <message>
        <source>Type a node&apos;s name or label</source>
        <translation>输入节点名称或标签</translation>
    </message>
    <message>
        <source>No circuit on the graph</source>
        <translation>图上没有电路</translation>
    </message>
    <message>
        <source>No node “%1”</source>
        <translation>没有节点“%1”</translation>
    </message>
    <message>
        <source>%1 has no drawn edge: widen the filter above</source>
        <translation>%1 没有已绘制的边：请放宽上方的筛选</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>分层</translation>
    </message>
    <message>
        <source>Layers: one row per layer, every head in its place (the circuit diagram); Graphviz: a free layout that may read better for a few edges</source>
        <translation>分层：每层一行，每个头位置固定（电路图）；Graphviz：自由布局，边较少时可能更易读</translation>
    </message>
    <message>
        <source>Edges</source>
        <translation>边</translation>
    </message>
    <message>
        <source>The selected node&apos;s edges in a table beside the graph, sortable by score</source>
        <translation>所选节点的边显示在图旁的表格中，可按分数排序</translation>
    </message>
    <message>
        <source>Hide the edge table</source>
        <translation>隐藏边表</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <source>Select a node to list its edges</source>
        <translation>选择一个节点以列出其边</translation>
    </message>
    <message>
        <source>%1 has no edges</source>
        <translation>%1 没有边</translation>
    </message>
    <message>
        <source>Expand %1</source>
        <translation>展开 %1</translation>
    </message>
    <message>
        <source>Patch the outputs of %1</source>
        <translation>修补 %1 的输出</translation>
    </message>
    <message>
        <source>Restore the outputs of %1</source>
        <translation>恢复 %1 的输出</translation>
    </message>
    <message>
        <source>Dissolve %1</source>
        <translation>解散 %1</translation>
    </message>
    <message>
        <source>Collapse %1</source>
        <translation>折叠 %1</translation>
    </message>
    <message numerus="yes">
        <source>Group the %n selected nodes…</source>
        <translation>
            <numerusform>将 %n 个所选节点编组…</numerusform>
        </translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>编组</translation>
    </message>
    <message>
        <source>Put the selected heads into a named group (drag a box around them first), and draw a group as one node</source>
        <translation>将所选的头放入一个命名的编组（先拖框选中它们），并把编组画成一个节点</translation>
    </message>
    <message>
        <source>Group %1: %2
right-click to expand it or patch its outputs</source>
        <translation>编组 %1：%2
右键单击可展开或修补其输出</translation>
    </message>
    <message>
        <source>%1: not drawn under the current filter</source>
        <translation>%1：在当前筛选下未绘制</translation>
    </message>
    <message>
        <source>Select heads to group first: drag a box around them</source>
        <translation>请先选择要编组的头：拖框选中它们</translation>
    </message>
    <message>
        <source>Group the selected nodes…</source>
        <translation>将所选节点编组…</translation>
    </message>
    <message>
        <source>Collapsed into one node</source>
        <translation>折叠为一个节点</translation>
    </message>
    <message numerus="yes">
        <source>%1 → %2: %n edges</source>
        <translation>
            <numerusform>%1 → %2：%n 条边</numerusform>
        </translation>
    </message>
    <message>
        <source>
sum of their scores %1</source>
        <translation>
其分数之和 %1</translation>
    </message>
    <message>
        <source>
click to patch or restore them all</source>
        <translation>
单击以全部修补或恢复</translation>
    </message>
    <message>
        <source>What the metric and faithfulness mean (the user guide)</source>
        <translation>指标和忠实度的含义（用户指南）</translation>
    </message>
    <message>
        <source>%1 · 1 head</source>
        <translation>%1 · 1 个头</translation>
    </message>
    <message>
        <source>%1 · %2 heads</source>
        <translation>%1 · %2 个头</translation>
    </message>
    <message>
        <source>New group</source>
        <translation>新编组</translation>
    </message>
    <message>
        <source>Name of the group of %1 (e.g. name movers):</source>
        <translation>%1 的编组名称（例如 name movers）：</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::HeadRoles</name>
    <message>
        <source>Head roles: attention on repeated random tokens</source>
        <translation>头的角色：在重复随机词元上的注意力</translation>
    </message>
    <message>
        <source>attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>head (induction | previous | duplicate)</source>
        <translation>头（归纳 | 前一 | 重复）</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 及另外 %n 个</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>patchbay::ui::HeatmapView</name>
    <message>
        <source>No data</source>
        <translation>无数据</translation>
    </message>
    <message>
        <source>Nothing to show</source>
        <translation>无可显示内容</translation>
    </message>
    <message>
        <source>no value</source>
        <translation>无值</translation>
    </message>
    <message>
        <source>%1: there is nothing to export yet</source>
        <translation>%1：尚无可导出的内容</translation>
    </message>
    <message>
        <source>%1: unknown image type “%2” (use .png, .svg or .pdf)</source>
        <translation>%1：未知的图像类型“%2”（请使用 .png、.svg 或 .pdf）</translation>
    </message>
    <message>
        <source>%1: could not be written</source>
        <translation>%1：无法写入</translation>
    </message>
    <message>
        <source>%1: could not be written (%2)</source>
        <translation>%1：无法写入（%2）</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::LessonDock</name>
    <message>
        <source>The lessons shipped with Patchbay and those of folders you opened (Lessons &gt; Open a Lesson Folder…)</source>
        <translation>Patchbay 自带的课程以及你打开的文件夹中的课程（课程 &gt; 打开课程文件夹…）</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <source>Commit to your prediction; the step then tells you what was measured</source>
        <translation>确定你的预测；随后该步骤会告诉你测得的结果</translation>
    </message>
    <message>
        <source>Hint</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Show a hint for this step</source>
        <translation>显示此步骤的提示</translation>
    </message>
    <message>
        <source>Show me</source>
        <translation>演示给我看</translation>
    </message>
    <message>
        <source>Let Patchbay perform this step for you</source>
        <translation>让 Patchbay 替你完成此步骤</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source> (about %1 min)</source>
        <translation>（约 %1 分钟）</translation>
    </message>
    <message>
        <source>There is no lesson “%1”.</source>
        <translation>没有课程“%1”。</translation>
    </message>
    <message>
        <source>Choose a lesson above.</source>
        <translation>请在上方选择一个课程。</translation>
    </message>
    <message>
        <source>Lessons teach mechanistic interpretability step by step, in this window: each step asks you to do something and turns green when you have done it.</source>
        <translation>课程在本窗口中逐步讲解机制可解释性：每一步都请你完成一项操作，完成后该步骤变为绿色。</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; · step %2 of %3 · %4 done</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; · 第 %2 步，共 %3 步 · 已完成 %4 步</translation>
    </message>
    <message>
        <source>Answer the question first</source>
        <translation>请先回答问题</translation>
    </message>
    <message>
        <source>✓ Done. You finished the lesson.</source>
        <translation>✓ 完成。你已学完本课程。</translation>
    </message>
    <message>
        <source>✓ Done. Press Next.</source>
        <translation>✓ 完成。请按“下一步”。</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>正在进行…</translation>
    </message>
    <message>
        <source>To do: %1</source>
        <translation>待完成：%1</translation>
    </message>
    <message>
        <source>open the demo model (File &gt; Open the Demo Model)</source>
        <translation>打开演示模型（文件 &gt; 打开演示模型）</translation>
    </message>
    <message>
        <source>open a model</source>
        <translation>打开一个模型</translation>
    </message>
    <message>
        <source>open the model “%1”</source>
        <translation>打开模型“%1”</translation>
    </message>
    <message>
        <source>have at least %1 valid prompt pairs</source>
        <translation>至少有 %1 个有效的提示对</translation>
    </message>
    <message>
        <source>have at least %1 valid “%2” prompt pairs</source>
        <translation>至少有 %1 个有效的“%2”提示对</translation>
    </message>
    <message>
        <source>select the right node</source>
        <translation>选择正确的节点</translation>
    </message>
    <message>
        <source>select one of the %1 heads with the largest |score|</source>
        <translation>选择 |得分| 最大的 %1 个头之一</translation>
    </message>
    <message>
        <source>show the attention of %1 (Attention dock)</source>
        <translation>显示 %1 的注意力（注意力面板）</translation>
    </message>
    <message>
        <source>run %1 (Run dock) and show its result</source>
        <translation>运行 %1（运行面板）并显示其结果</translation>
    </message>
    <message>
        <source>patch the edge %1 (click it on the graph)</source>
        <translation>修补边 %1（在图上单击它）</translation>
    </message>
    <message>
        <source>keep the edge %1 in the circuit</source>
        <translation>在电路中保留边 %1</translation>
    </message>
    <message>
        <source>faithfulness ≥ %1</source>
        <translation>忠实度 ≥ %1</translation>
    </message>
    <message>
        <source>faithfulness ≤ %1</source>
        <translation>忠实度 ≤ %1</translation>
    </message>
    <message>
        <source>at least %1 edges kept</source>
        <translation>至少保留 %1 条边</translation>
    </message>
    <message>
        <source>at most %1 edges kept</source>
        <translation>最多保留 %1 条边</translation>
    </message>
    <message>
        <source>at most %1 % of the edges kept</source>
        <translation>最多保留 %1% 的边</translation>
    </message>
    <message>
        <source>metric above %1</source>
        <translation>指标高于 %1</translation>
    </message>
    <message>
        <source>metric below %1</source>
        <translation>指标低于 %1</translation>
    </message>
    <message>
        <source>a circuit on the graph whose metric has been computed</source>
        <translation>图上有一个已计算指标的电路</translation>
    </message>
    <message>
        <source>a circuit on the graph with %1</source>
        <translation>图上的电路满足 %1</translation>
    </message>
    <message>
        <source>name the node %1 (right-click it on the graph)</source>
        <translation>为节点 %1 命名（在图上右键单击它）</translation>
    </message>
    <message>
        <source>import the circuit file (File &gt; Import Circuit…)</source>
        <translation>导入电路文件（文件 &gt; 导入电路…）</translation>
    </message>
    <message>
        <source>put %1 in a group (Groups &gt; Group the selected nodes…)</source>
        <translation>将 %1 放入一个编组（编组 &gt; 将所选节点编组…）</translation>
    </message>
    <message>
        <source>a check this version does not know: %1</source>
        <translation>此版本不认识的检查：%1</translation>
    </message>
    <message>
        <source>There is no circuit on the graph yet: run a method first.</source>
        <translation>图上还没有电路：请先运行一种方法。</translation>
    </message>
    <message>
        <source>The graph has no edge %1.</source>
        <translation>图中没有边 %1。</translation>
    </message>
    <message>
        <source>The model “%1” has not been fetched: run tools/fetch-models.sh (see docs/models.md).</source>
        <translation>模型“%1”尚未下载：请运行 tools/fetch-models.sh（见 docs/models.md）。</translation>
    </message>
    <message>
        <source>There are no head scores yet: run a method first.</source>
        <translation>还没有头的得分：请先运行一种方法。</translation>
    </message>
    <message>
        <source>%1 is not a head (a&lt;layer&gt;.h&lt;head&gt;).</source>
        <translation>%1 不是一个头（a&lt;层&gt;.h&lt;头&gt;）。</translation>
    </message>
    <message>
        <source>Restore %1</source>
        <translation>恢复 %1</translation>
    </message>
    <message>
        <source>Patch %1</source>
        <translation>修补 %1</translation>
    </message>
    <message>
        <source>There is no circuit on the graph yet.</source>
        <translation>图上还没有电路。</translation>
    </message>
    <message>
        <source>The group “%1” could not be made.</source>
        <translation>无法创建编组“%1”。</translation>
    </message>
    <message>
        <source>An action this version does not know: %1</source>
        <translation>此版本不认识的操作：%1</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::LessonRunner</name>
    <message>
        <source>Choose your answer first.</source>
        <translation>请先选择你的答案。</translation>
    </message>
    <message>
        <source>This step has nothing to show: read it and go on.</source>
        <translation>此步骤无需演示：阅读后继续即可。</translation>
    </message>
    <message>
        <source>Hint:</source>
        <translation>提示：</translation>
    </message>
    <message>
        <source>**Your prediction: right.**</source>
        <translation>**你的预测：正确。**</translation>
    </message>
    <message>
        <source>**Your prediction was not right: %1**</source>
        <translation>**你的预测不正确：%1**</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::LogitLensView</name>
    <message>
        <source>Position</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>The position whose residual stream is decoded; the answer is read at the last token</source>
        <translation>解码其残差流的位置；答案在最后一个词元处读取</translation>
    </message>
    <message>
        <source>Select a prompt pair to see the logit lens</source>
        <translation>选择一个提示对以查看 Logit 透镜</translation>
    </message>
    <message>
        <source>answer %1</source>
        <translation>答案 %1</translation>
    </message>
    <message>
        <source>wrong %1</source>
        <translation>错误 %1</translation>
    </message>
    <message>
        <source>top %1</source>
        <translation>第 %1 名</translation>
    </message>
    <message>
        <source>%1 · rank %2</source>
        <translation>%1 · 排名 %2</translation>
    </message>
    <message>
        <source>%1 (id %2): p = %3 after stage %4</source>
        <translation>%1（ID %2）：在阶段 %4 之后 p = %3</translation>
    </message>
    <message>
        <source>p = %1, rank %2 after stage %3</source>
        <translation>p = %1，第 %3 阶段后排名 %2</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::MainWindow</name>
    <message>
        <source>Patchbay</source>
        <translation>Patchbay</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA (GPU)</source>
        <translation>CUDA（GPU）</translation>
    </message>
    <message>
        <source>Where the model runs; CUDA is offered when LibTorch has CUDA and a GPU is visible</source>
        <translation>模型运行的位置；当 LibTorch 支持 CUDA 且有可见 GPU 时提供 CUDA</translation>
    </message>
    <message>
        <source>float32</source>
        <translation>float32</translation>
    </message>
    <message>
        <source>bfloat16</source>
        <translation>bfloat16</translation>
    </message>
    <message>
        <source>float16 (GPU)</source>
        <translation>float16（GPU）</translation>
    </message>
    <message>
        <source>Compute dtype; float32 gives the reference numbers</source>
        <translation>计算数据类型；float32 给出参考数值</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新加载</translation>
    </message>
    <message>
        <source>Load the current model again on this device and dtype</source>
        <translation>以此设备和数据类型重新加载当前模型</translation>
    </message>
    <message>
        <source>Run on:</source>
        <translation>运行于：</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <source>Heads</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <source>d_model</source>
        <translation>d_model</translation>
    </message>
    <message>
        <source>d_head / d_mlp</source>
        <translation>d_head / d_mlp</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>词表</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation>分词器</translation>
    </message>
    <message>
        <source>Dtype</source>
        <translation>数据类型</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Select a prompt pair to see attention patterns</source>
        <translation>选择一个提示对以查看注意力模式</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Prompt pairs</source>
        <translation>提示对</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>No scores yet

Choose a method in the Run panel and press Run.</source>
        <translation>尚无得分

请在“运行”面板中选择方法并点击“运行”。</translation>
    </message>
    <message>
        <source>Per-position scores come from activation patching with “per position” ticked.</source>
        <translation>逐位置得分来自勾选了“逐位置”的激活修补。</translation>
    </message>
    <message>
        <source>Layer × head</source>
        <translation>层 × 头</translation>
    </message>
    <message>
        <source>Node × position</source>
        <translation>节点 × 位置</translation>
    </message>
    <message>
        <source>Save the visible heatmap as PNG, SVG or PDF</source>
        <translation>将可见的热图保存为 PNG、SVG 或 PDF</translation>
    </message>
    <message>
        <source>Scores</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>Logit lens</source>
        <translation>Logit 透镜</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Open &amp;Model…</source>
        <translation>打开模型(&amp;M)…</translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder (config.json, safetensors weights, tokenizer)</source>
        <translation>打开 Hugging Face 模型文件夹（config.json、safetensors 权重、分词器）</translation>
    </message>
    <message>
        <source>Open &amp;Recent Model</source>
        <translation>打开最近的模型(&amp;R)</translation>
    </message>
    <message>
        <source>Open the &amp;Demo Model</source>
        <translation>打开演示模型(&amp;D)</translation>
    </message>
    <message>
        <source>Open &amp;Dataset…</source>
        <translation>打开数据集(&amp;D)…</translation>
    </message>
    <message>
        <source>Open clean/corrupted prompt pairs (CSV or JSON, native or a peer tool&apos;s format)</source>
        <translation>打开干净/损坏提示对（CSV 或 JSON，原生格式或其他工具的格式）</translation>
    </message>
    <message>
        <source>Open &amp;Session…</source>
        <translation>打开会话(&amp;S)…</translation>
    </message>
    <message>
        <source>Reopen saved work: model, prompt pairs, settings, scores and view</source>
        <translation>重新打开已保存的工作：模型、提示对、设置、得分和视图</translation>
    </message>
    <message>
        <source>&amp;Save Session</source>
        <translation>保存会话(&amp;S)</translation>
    </message>
    <message>
        <source>Save Session &amp;As…</source>
        <translation>会话另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>Reopen &amp;Last Session</source>
        <translation>重新打开上次会话(&amp;L)</translation>
    </message>
    <message>
        <source>The work of the last window closed, or autosaved before Patchbay stopped</source>
        <translation>上一个关闭窗口中的工作，或 Patchbay 停止前自动保存的工作</translation>
    </message>
    <message>
        <source>&amp;Import Circuit…</source>
        <translation>导入电路(&amp;I)…</translation>
    </message>
    <message>
        <source>Import Circuit</source>
        <translation>导入电路</translation>
    </message>
    <message>
        <source>Circuit files (*.json);;All files (*)</source>
        <translation>电路文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Show a circuit found by Patchbay or another tool (EAP-IG/MIB JSON, native) on the graph</source>
        <translation>在图中显示由 Patchbay 或其他工具找到的电路（EAP-IG/MIB JSON、原生格式）</translation>
    </message>
    <message>
        <source>Export the &amp;Graph&apos;s Circuit…</source>
        <translation>导出图中的电路(&amp;G)…</translation>
    </message>
    <message>
        <source>Export Circuit</source>
        <translation>导出电路</translation>
    </message>
    <message>
        <source>Native circuit (*.json);;EAP-IG circuit (*.json);;Graphviz DOT (*.dot)</source>
        <translation>原生电路 (*.json);;EAP-IG 电路 (*.json);;Graphviz DOT (*.dot)</translation>
    </message>
    <message>
        <source>Write the circuit as edited on the graph (kept edges, scores, labels)</source>
        <translation>按图中编辑后的状态写出电路（保留的边、得分、标签）</translation>
    </message>
    <message>
        <source>Export the Graph &amp;Drawing…</source>
        <translation>导出图形绘图(&amp;D)…</translation>
    </message>
    <message>
        <source>Export Drawing</source>
        <translation>导出图形</translation>
    </message>
    <message>
        <source>SVG (*.svg);;PNG (*.png)</source>
        <translation>SVG (*.svg);;PNG (*.png)</translation>
    </message>
    <message>
        <source>&amp;Export Scores as Circuit…</source>
        <translation>将得分导出为电路(&amp;E)…</translation>
    </message>
    <message>
        <source>Write the shown result&apos;s edge scores as a circuit file (native or EAP-IG JSON)</source>
        <translation>将所示结果的边得分写为电路文件（原生或 EAP-IG JSON）</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Reset &amp;Layout</source>
        <translation>重置布局(&amp;L)</translation>
    </message>
    <message>
        <source>Reset Layout</source>
        <translation>重置布局</translation>
    </message>
    <message>
        <source>The default layout is used from the next start.</source>
        <translation>下次启动时将使用默认布局。</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Patchbay</source>
        <translation>关于 Patchbay(&amp;A)</translation>
    </message>
    <message>
        <source>About Patchbay</source>
        <translation>关于 Patchbay</translation>
    </message>
    <message>
        <source>&lt;b&gt;Patchbay&lt;/b&gt; %1&lt;br&gt;Find and inspect circuits in transformer language models.</source>
        <translation>&lt;b&gt;Patchbay&lt;/b&gt; %1&lt;br&gt;在 Transformer 语言模型中发现并检查电路。</translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation>设备：%1</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>无模型</translation>
    </message>
    <message>
        <source>The bundled demo model is missing: %1</source>
        <translation>缺少自带的演示模型：%1</translation>
    </message>
    <message>
        <source>No model loaded

The bundled demo model was not found. Open a model folder with File &gt; Open Model…</source>
        <translation>未加载模型

未找到自带的演示模型。请通过“文件 &gt; 打开模型…”打开模型文件夹</translation>
    </message>
    <message>
        <source>Loading %1… %p%</source>
        <translation>正在加载 %1… %p%</translation>
    </message>
    <message>
        <source>Open Model Folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <source>Open Prompt Pairs</source>
        <translation>打开提示对</translation>
    </message>
    <message>
        <source>Prompt pairs (*.csv *.json);;All files (*)</source>
        <translation>提示对 (*.csv *.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>There are no scores to export: run a method first.</source>
        <translation>没有可导出的得分：请先运行一种方法。</translation>
    </message>
    <message>
        <source>Export Scores as Circuit</source>
        <translation>将得分导出为电路</translation>
    </message>
    <message>
        <source>Patchbay circuit (*.json);;EAP-IG circuit (*.json)</source>
        <translation>Patchbay 电路 (*.json);;EAP-IG 电路 (*.json)</translation>
    </message>
    <message>
        <source>Export View</source>
        <translation>导出视图</translation>
    </message>
    <message>
        <source>PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)</source>
        <translation>PNG 图像 (*.png);;SVG 图形 (*.svg);;PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>The model in %1 has changed since the session was saved (weights fingerprint %2, now %3): the session&apos;s scores belong to the old weights and are not shown. Run again to score these weights.</source>
        <translation>%1 中的模型自会话保存以来已更改（权重指纹 %2，现在为 %3）：会话中的得分属于旧权重，因此不予显示。请重新运行以对这些权重评分。</translation>
    </message>
    <message>
        <source>%1 pairs · %2 s · clean %3 · reference %4</source>
        <translation>%1 对 · %2 秒 · 干净 %3 · 参照 %4</translation>
    </message>
    <message>
        <source>Done in %1 s on %2 pairs: clean %3, reference %4</source>
        <translation>完成，用时 %1 秒，共 %2 对：干净 %3，参照 %4</translation>
    </message>
    <message>
        <source>No model loaded

%1</source>
        <translation>未加载模型

%1</translation>
    </message>
    <message>
        <source>The session&apos;s model could not be loaded: %1. Open the model with File &gt; Open Model…; the session&apos;s pairs and scores are kept.</source>
        <translation>无法加载会话的模型：%1。请通过“文件 &gt; 打开模型…”打开模型；会话中的提示对和得分会保留。</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>No attention patterns: %1</source>
        <translation>无注意力模式：%1</translation>
    </message>
    <message>
        <source>No logit lens: %1</source>
        <translation>无 Logit 透镜：%1</translation>
    </message>
    <message>
        <source>No metric: %1</source>
        <translation>无指标：%1</translation>
    </message>
    <message>
        <source>Loading cancelled</source>
        <translation>加载已取消</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Load a model first.</source>
        <translation>请先加载模型。</translation>
    </message>
    <message>
        <source>Open or generate prompt pairs first.</source>
        <translation>请先打开或生成提示对。</translation>
    </message>
    <message>
        <source>There are no valid prompt pairs to run on.</source>
        <translation>没有可运行的有效提示对。</translation>
    </message>
    <message>
        <source>A computation is running; cancel it or wait for it to finish.</source>
        <translation>正在计算；请取消或等待其完成。</translation>
    </message>
    <message>
        <source>Shown from the results of this session (same model, pairs and settings).</source>
        <translation>取自本次会话的结果（相同的模型、提示对和设置）。</translation>
    </message>
    <message>
        <source>Running %1…</source>
        <translation>正在运行 %1…</translation>
    </message>
    <message>
        <source>%1 (family %2)</source>
        <translation>%1（系列 %2）</translation>
    </message>
    <message>
        <source>%1 (%2 key/value heads)</source>
        <translation>%1（%2 个键/值头）</translation>
    </message>
    <message>
        <source>none (text prompts cannot be encoded)</source>
        <translation>无（无法编码文本提示）</translation>
    </message>
    <message>
        <source>%1, prepends BOS</source>
        <translation>%1，前置 BOS</translation>
    </message>
    <message>
        <source>%1 (stored as %2)</source>
        <translation>%1（存储为 %2）</translation>
    </message>
    <message>
        <source>%1 · %2 layers × %3 heads</source>
        <translation>%1 · %2 层 × %3 头</translation>
    </message>
    <message>
        <source>%1
loaded in %2 s</source>
        <translation>%1
加载用时 %2 秒</translation>
    </message>
    <message>
        <source>Device: %1 · %2</source>
        <translation>设备：%1 · %2</translation>
    </message>
    <message>
        <source>node score (sum of its edges)</source>
        <translation>节点得分（其各边之和）</translation>
    </message>
    <message>
        <source>score</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>MLP</source>
        <translation>MLP</translation>
    </message>
    <message>
        <source> · input %1</source>
        <translation> · 输入 %1</translation>
    </message>
    <message>
        <source>The clean prompt cannot be encoded: %1</source>
        <translation>无法编码干净提示：%1</translation>
    </message>
    <message>
        <source>This pair has no tokens to show</source>
        <translation>此对没有可显示的词元</translation>
    </message>
    <message>
        <source>Select a prompt pair to see the logit lens</source>
        <translation>选择一个提示对以查看 Logit 透镜</translation>
    </message>
    <message>
        <source>attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>Load a model to compute the circuit&apos;s metric.</source>
        <translation>请加载模型以计算该电路的指标。</translation>
    </message>
    <message>
        <source>This circuit cannot run on %1: %2.</source>
        <translation>此电路无法在 %1 上运行：%2。</translation>
    </message>
    <message>
        <source>This circuit&apos;s graph (%1) is not the model&apos;s (%2).</source>
        <translation>此电路的图（%1）与模型的图（%2）不同。</translation>
    </message>
    <message>
        <source>No valid prompt pairs to compute the metric on.</source>
        <translation>没有可用于计算指标的有效提示对。</translation>
    </message>
    <message>
        <source>The circuit could not be imported: %1</source>
        <translation>无法导入电路：%1</translation>
    </message>
    <message>
        <source>There is no circuit on the graph to export.</source>
        <translation>图中没有可导出的电路。</translation>
    </message>
    <message>
        <source>The circuit could not be exported: %1</source>
        <translation>无法导出电路：%1</translation>
    </message>
    <message>
        <source>The session could not be saved: %1</source>
        <translation>无法保存会话：%1</translation>
    </message>
    <message>
        <source>Session saved to %1</source>
        <translation>会话已保存到 %1</translation>
    </message>
    <message>
        <source>A computation is running; cancel it or wait for it to finish before opening a session.</source>
        <translation>正在计算；请先取消或等待其完成，再打开会话。</translation>
    </message>
    <message>
        <source>The session could not be opened: %1</source>
        <translation>无法打开会话：%1</translation>
    </message>
    <message>
        <source>Autosave failed: %1</source>
        <translation>自动保存失败：%1</translation>
    </message>
    <message>
        <source>Patchbay did not close cleanly last time. File &gt; Reopen Last Session brings back the work autosaved at %1.</source>
        <translation>Patchbay 上次未正常关闭。“文件 &gt; 重新打开上次会话”可恢复于 %1 自动保存的工作。</translation>
    </message>
    <message>
        <source>There is no last session to reopen.</source>
        <translation>没有可重新打开的上次会话。</translation>
    </message>
    <message>
        <source>Open Session</source>
        <translation>打开会话</translation>
    </message>
    <message>
        <source>Patchbay sessions (*.pbsession);;All files (*)</source>
        <translation>Patchbay 会话 (*.pbsession);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Save Session</source>
        <translation>保存会话</translation>
    </message>
    <message>
        <source>Patchbay sessions (*.pbsession)</source>
        <translation>Patchbay 会话 (*.pbsession)</translation>
    </message>
    <message>
        <source>The bundled 2-layer model with its induction pairs</source>
        <translation>自带的两层模型及其归纳提示对</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <source>The language changes at the next start.</source>
        <translation>语言将在下次启动时切换。</translation>
    </message>
    <message>
        <source>No model loaded

File &gt; Open Model… opens a GGUF file, a safetensors file or a Hugging Face model folder.</source>
        <translation>未加载模型

文件 &gt; 打开模型… 可打开 GGUF 文件、safetensors 文件或 Hugging Face 模型文件夹。</translation>
    </message>
    <message>
        <source>Open a GGUF file, a safetensors file, or a Hugging Face model folder (choose its config.json)</source>
        <translation>打开 GGUF 文件、safetensors 文件或 Hugging Face 模型文件夹（选择其中的 config.json）</translation>
    </message>
    <message>
        <source>Open Model &amp;Folder…</source>
        <translation>打开模型文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Open Fe&amp;tched Model</source>
        <translation>打开已下载的模型(&amp;T)</translation>
    </message>
    <message>
        <source>Open Model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>Models (*.gguf *.safetensors config.json);;GGUF files (*.gguf);;Hugging Face folders (config.json);;All files (*)</source>
        <translation>模型 (*.gguf *.safetensors config.json);;GGUF 文件 (*.gguf);;Hugging Face 文件夹 (config.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>None fetched: run tools/fetch-models.sh</source>
        <translation>尚未下载：请运行 tools/fetch-models.sh</translation>
    </message>
    <message>
        <source>This circuit has a key/value input per query head (MIB&apos;s layout): tick “k/v per query head” in the Run panel to compute its metric on that graph.</source>
        <translation>此电路的每个查询头都有自己的键/值输入（MIB 的布局）：请在运行面板中勾选“每个查询头的 k/v”，以在该图上计算其指标。</translation>
    </message>
    <message>
        <source>This circuit has one key/value input per key/value head: untick “k/v per query head” in the Run panel to compute its metric.</source>
        <translation>此电路的每个键/值头有一个键/值输入：请在运行面板中取消勾选“每个查询头的 k/v”以计算其指标。</translation>
    </message>
    <message>
        <source>reopening the last session</source>
        <translation>重新打开上次会话</translation>
    </message>
    <message>
        <source>closing</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Opened %1. The pairs it replaced were in no file: Edit &gt; Undo brings them back.</source>
        <translation>已打开 %1。被替换的提示对不在任何文件中：编辑 &gt; 撤销可将其恢复。</translation>
    </message>
    <message>
        <source>%1 pairs</source>
        <translation>%1 个提示对</translation>
    </message>
    <message>
        <source>%1[*] — Patchbay</source>
        <translation>%1[*] — Patchbay</translation>
    </message>
    <message>
        <source>prompt pairs edited or generated</source>
        <translation>已编辑或生成的提示对</translation>
    </message>
    <message>
        <source>runs or node labels</source>
        <translation>运行结果或节点标签</translation>
    </message>
    <message>
        <source>edges patched on the graph</source>
        <translation>在图上修补的边</translation>
    </message>
    <message>
        <source>This window holds work that is in no file: %1. Save it as a session before %2?</source>
        <translation>此窗口中有尚未保存到任何文件的工作：%1。在%2之前将其保存为会话吗？</translation>
    </message>
    <message>
        <source>Unsaved Work</source>
        <translation>未保存的工作</translation>
    </message>
    <message>
        <source>The work of the last window closed (%1) is under File &gt; Reopen Last Session.</source>
        <translation>上次关闭的窗口的工作（%1）位于 文件 &gt; 重新打开上次会话。</translation>
    </message>
    <message>
        <source>opening %1</source>
        <translation>打开 %1</translation>
    </message>
    <message>
        <source>The metric of the edited circuit is computed when the running job ends…</source>
        <translation>编辑后电路的指标将在当前任务结束后计算…</translation>
    </message>
    <message>
        <source>Computing the metric of the edited circuit…</source>
        <translation>正在计算编辑后电路的指标…</translation>
    </message>
    <message>
        <source>The user guide was not found beside the program (share/patchbay/docs).</source>
        <translation>未在程序旁找到用户指南（share/patchbay/docs）。</translation>
    </message>
    <message>
        <source>Patchbay User Guide</source>
        <translation>Patchbay 用户指南</translation>
    </message>
    <message>
        <source>&amp;User Guide</source>
        <translation>用户指南(&amp;U)</translation>
    </message>
    <message>
        <source>The user guide, offline: installing, the tutorials, the methods, the file formats</source>
        <translation>离线用户指南：安装、教程、方法、文件格式</translation>
    </message>
    <message>
        <source>Details…</source>
        <translation>详细信息…</translation>
    </message>
    <message>
        <source>Show the whole message</source>
        <translation>显示完整消息</translation>
    </message>
    <message>
        <source>ACDC keeps or removes edges; it gives no node scores.

Its circuit at τ = %1 (%2 of %3 edges kept, metric %4) is on the graph.</source>
        <translation>ACDC 只保留或移除边，不给出节点得分。

它在 τ = %1 时的电路（保留 %3 条边中的 %2 条，指标 %4）显示在图上。</translation>
    </message>
    <message>
        <source>%1 gives no node scores; its edges are on the graph.</source>
        <translation>%1 不给出节点得分；其边显示在图上。</translation>
    </message>
    <message>
        <source>%1 · scores from %2</source>
        <translation>%1 · 得分来自 %2</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>%1 — %2, %3</source>
        <translation>%1 — %2，%3</translation>
    </message>
    <message>
        <source>The scores are from %1 (%2 pairs); this metric is on the %3 pairs in the table now (%4).</source>
        <translation>得分来自 %1（%2 对）；此指标基于表中当前的 %3 对（%4）。</translation>
    </message>
    <message>
        <source>other pairs</source>
        <translation>其他提示对</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>头</translation>
    </message>
    <message>
        <source>clean</source>
        <translation>干净</translation>
    </message>
    <message>
        <source>corrupted</source>
        <translation>损坏</translation>
    </message>
    <message>
        <source>The prompt of the selected pair whose attention is shown</source>
        <translation>显示其注意力的所选提示对的提示</translation>
    </message>
    <message>
        <source>All heads</source>
        <translation>所有头</translation>
    </message>
    <message>
        <source>Every head of the layer side by side; click one to select it</source>
        <translation>该层所有头并排显示；单击以选择其一</translation>
    </message>
    <message>
        <source>Exported %1</source>
        <translation>已导出 %1</translation>
    </message>
    <message>
        <source>τ = %1 · %2 edges · metric %3</source>
        <translation>τ = %1 · %2 条边 · 指标 %3</translation>
    </message>
    <message>
        <source> · τ = %1</source>
        <translation> · τ = %1</translation>
    </message>
    <message>
        <source>head</source>
        <translation>头</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>

This run has %1 thresholds: choose another under Results (“Circuit at”).</source>
        <translation>

此运行有 %1 个阈值：在“结果”下选择另一个（“电路阈值”）。</translation>
    </message>
    <message>
        <source>token position (first pair)</source>
        <translation>词元位置（第一个提示对）</translation>
    </message>
    <message>
        <source>node</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>%1 is a node of the circuit on the graph (%2), not of the loaded model %3 (%4): it has no attention pattern or score here.</source>
        <translation>%1 是图上电路（%2）的节点，而非已加载模型 %3（%4）的节点：此处没有它的注意力模式或分数。</translation>
    </message>
    <message>
        <source>%1 is not a node of the loaded model %2 (%3).</source>
        <translation>%1 不是已加载模型 %2（%3）的节点。</translation>
    </message>
    <message>
        <source>The corrupted prompt cannot be encoded: %1</source>
        <translation>无法编码损坏的提示：%1</translation>
    </message>
    <message>
        <source>layer %1 · pair %2 (%3)</source>
        <translation>第 %1 层 · 提示对 %2（%3）</translation>
    </message>
    <message>
        <source>a%1.h%2 · pair %3 (%4)</source>
        <translation>a%1.h%2 · 提示对 %3（%4）</translation>
    </message>
    <message>
        <source>key position (attended to)</source>
        <translation>键位置（被关注）</translation>
    </message>
    <message>
        <source>query position</source>
        <translation>查询位置</translation>
    </message>
    <message>
        <source>%1 is still being read; import %2 once it is shown.</source>
        <translation>%1 仍在读取中；显示后再导入 %2。</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>正在读取 %1…</translation>
    </message>
    <message>
        <source>%1: could not be read</source>
        <translation>%1：无法读取</translation>
    </message>
    <message>
        <source>Imported %1: %2 edges, %3 in the circuit</source>
        <translation>已导入 %1：%2 条边，%3 条在电路中</translation>
    </message>
    <message>
        <source>The graph&apos;s circuit as a sender × receiver grid appears here: every edge, at any size.</source>
        <translation>图中电路将以发送者 × 接收者网格显示在此：每条边，任意规模。</translation>
    </message>
    <message>
        <source>Sender × receiver</source>
        <translation>发送者 × 接收者</translation>
    </message>
    <message>
        <source>sender</source>
        <translation>发送者</translation>
    </message>
    <message>
        <source>receiver</source>
        <translation>接收者</translation>
    </message>
    <message>
        <source>Σ edge score</source>
        <translation>Σ 边分数</translation>
    </message>
    <message>
        <source>edges in the circuit</source>
        <translation>电路中的边</translation>
    </message>
    <message>
        <source>This result holds no scores to show.</source>
        <translation>此结果没有可显示的分数。</translation>
    </message>
    <message>
        <source>%1 was read after the window changed: import it again to show it.</source>
        <translation>%1 在窗口变化后才读取完毕：请重新导入以显示。</translation>
    </message>
    <message>
        <source>Every edge of the graph&apos;s circuit, q/k/v summed per receiver: wheel zooms, drag pans, a click lists the receiver&apos;s edges on the graph</source>
        <translation>图中电路的每条边，按接收者汇总 q/k/v：滚轮缩放，拖动平移，单击在图旁列出接收者的边</translation>
    </message>
    <message>
        <source>The grid of %1&apos;s edges is made when this tab is shown.</source>
        <translation>%1 的边网格将在显示此标签页时生成。</translation>
    </message>
    <message>
        <source>Lessons</source>
        <translation>课程</translation>
    </message>
    <message>
        <source>&amp;Lessons</source>
        <translation>课程(&amp;L)</translation>
    </message>
    <message>
        <source>Open a Lesson &amp;Folder…</source>
        <translation>打开课程文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Open a Lesson Folder</source>
        <translation>打开课程文件夹</translation>
    </message>
    <message>
        <source>How to Write a &amp;Lesson</source>
        <translation>如何编写课程(&amp;L)</translation>
    </message>
    <message>
        <source>Which heads are induction, previous-token or duplicate-token heads: Run &gt; Find Induction and Previous-Token Heads.</source>
        <translation>哪些头是归纳头、前一词元头或重复词元头：运行 &gt; 查找归纳头和前一词元头。</translation>
    </message>
    <message>
        <source>Head roles</source>
        <translation>头的角色</translation>
    </message>
    <message>
        <source>Mean attention of every head on repeated random tokens: to the token after the earlier copy (induction), to the previous token, to the earlier copy</source>
        <translation>每个头在重复随机词元上的平均注意力：指向较早副本之后的词元（归纳）、前一个词元、较早的副本</translation>
    </message>
    <message>
        <source>Find &amp;Induction and Previous-Token Heads</source>
        <translation>查找归纳头和前一词元头(&amp;I)</translation>
    </message>
    <message>
        <source>Score every head on repeated random tokens and label the induction, previous-token and duplicate-token heads on the graph</source>
        <translation>在重复随机词元上为每个头打分，并在图中标注归纳头、前一词元头和重复词元头</translation>
    </message>
    <message>
        <source>Finding induction heads failed: %1</source>
        <translation>查找归纳头失败：%1</translation>
    </message>
    <message>
        <source>Finding induction heads…</source>
        <translation>正在查找归纳头…</translation>
    </message>
    <message>
        <source>Induction heads: %1. Previous-token heads: %2. (%3 s; labelled on the graph)</source>
        <translation>归纳头：%1。前一词元头：%2。（%3 秒；已在图中标注）</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::Method</name>
    <message>
        <source>EAP</source>
        <translation>EAP</translation>
    </message>
    <message>
        <source>Edge attribution patching: gradients on the clean run, every edge at once</source>
        <translation>边归因修补：在干净运行上求梯度，一次得到所有边</translation>
    </message>
    <message>
        <source>EAP-IG</source>
        <translation>EAP-IG</translation>
    </message>
    <message>
        <source>EAP-IG (inputs)</source>
        <translation>EAP-IG（输入）</translation>
    </message>
    <message>
        <source>EAP with integrated gradients over inputs interpolated from the reference</source>
        <translation>对从参照插值的输入使用积分梯度的 EAP</translation>
    </message>
    <message>
        <source>EAP-IG (activations)</source>
        <translation>EAP-IG（激活）</translation>
    </message>
    <message>
        <source>EAP with integrated gradients over interpolated sender activations</source>
        <translation>对插值的发送者激活使用积分梯度的 EAP</translation>
    </message>
    <message>
        <source>Clean-corrupted</source>
        <translation>干净-损坏</translation>
    </message>
    <message>
        <source>Gradients averaged over the clean and the reference run</source>
        <translation>在干净运行和参照运行上平均的梯度</translation>
    </message>
    <message>
        <source>AtP</source>
        <translation>AtP</translation>
    </message>
    <message>
        <source>AtP (nodes)</source>
        <translation>AtP（节点）</translation>
    </message>
    <message>
        <source>Attribution patching of every component</source>
        <translation>对每个组件做归因修补</translation>
    </message>
    <message>
        <source>Activation patching</source>
        <translation>激活修补</translation>
    </message>
    <message>
        <source>Activation patching (nodes)</source>
        <translation>激活修补（节点）</translation>
    </message>
    <message>
        <source>Patch every component to its reference, one at a time (exact)</source>
        <translation>逐个将每个组件修补为其参照值（精确）</translation>
    </message>
    <message>
        <source>Exact patching</source>
        <translation>精确修补</translation>
    </message>
    <message>
        <source>Exact edge patching</source>
        <translation>精确边修补</translation>
    </message>
    <message>
        <source>One masked evaluation per edge (exact; slow on large models)</source>
        <translation>每条边一次掩码评估（精确；大模型上较慢）</translation>
    </message>
    <message>
        <source>ACDC</source>
        <translation>ACDC</translation>
    </message>
    <message>
        <source>Greedy edge removal from the logits backwards with threshold τ</source>
        <translation>以阈值 τ 从 logits 向后贪心地移除边</translation>
    </message>
    <message>
        <source>Path patching</source>
        <translation>路径修补</translation>
    </message>
    <message>
        <source>Path patching (nodes)</source>
        <translation>路径修补（节点）</translation>
    </message>
    <message>
        <source>Each sender&apos;s effect on chosen receivers, through the chosen senders only</source>
        <translation>每个发送者经由所选发送者对所选接收者的影响</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::PairTableModel</name>
    <message>
        <source>not validated</source>
        <translation>未校验</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Several answers: separate them with “ | ”. A leading space is part of the token.</source>
        <translation>多个答案请用“ | ”分隔。开头的空格属于词元的一部分。</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Clean</source>
        <translation>干净</translation>
    </message>
    <message>
        <source>Corrupted</source>
        <translation>损坏</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>答案</translation>
    </message>
    <message>
        <source>Wrong answer</source>
        <translation>错误答案</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Edit %1 of row %2</source>
        <translation>编辑第 %2 行的 %1</translation>
    </message>
    <message>
        <source>Add a pair</source>
        <translation>添加一对</translation>
    </message>
    <message>
        <source>Delete a pair</source>
        <translation>删除一对</translation>
    </message>
    <message>
        <source>Delete %1 pairs</source>
        <translation>删除 %1 对</translation>
    </message>
    <message>
        <source>Drop %1 invalid pairs</source>
        <translation>丢弃 %1 个无效对</translation>
    </message>
    <message>
        <source>There are no prompt pairs.</source>
        <translation>没有提示对。</translation>
    </message>
    <message>
        <source>The pairs are not validated: load a model with a tokenizer.</source>
        <translation>提示对尚未校验：请加载带分词器的模型。</translation>
    </message>
    <message>
        <source>Every pair has errors: fix them or generate new pairs.</source>
        <translation>每一对都有错误：请修正或生成新的对。</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::PromptEditor</name>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Add an empty pair after the selected one</source>
        <translation>在所选对之后添加一个空对</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete the selected pairs</source>
        <translation>删除所选的对</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Open prompt pairs from a file</source>
        <translation>从文件打开提示对</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Save the pairs as native CSV/JSON, EAP-IG CSV or auto-circuit JSON</source>
        <translation>将提示对保存为原生 CSV/JSON、EAP-IG CSV 或 auto-circuit JSON</translation>
    </message>
    <message>
        <source>Generate…</source>
        <translation>生成…</translation>
    </message>
    <message>
        <source>Generate pairs for IOI, greater-than, induction or docstring</source>
        <translation>为 IOI、greater-than、归纳或 docstring 任务生成提示对</translation>
    </message>
    <message>
        <source>Drop invalid</source>
        <translation>丢弃无效项</translation>
    </message>
    <message>
        <source>Delete every pair with an error (undoable)</source>
        <translation>删除所有有错误的对（可撤销）</translation>
    </message>
    <message>
        <source>%1: EAP-IG CSV needs every pair valid (%2 have errors)</source>
        <translation>%1：EAP-IG CSV 要求每一对都有效（%2 对有错误）</translation>
    </message>
    <message>
        <source>Select a pair to see its tokens</source>
        <translation>选择一对以查看其词元</translation>
    </message>
    <message>
        <source>No prompt pairs yet: Import… a file or Generate… a task.</source>
        <translation>尚无提示对：请导入文件或生成任务。</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; · %2 · pairs: %3</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; · %2 · 对数：%3</translation>
    </message>
    <message>
        <source>unsaved pairs</source>
        <translation>未保存的提示对</translation>
    </message>
    <message>
        <source> · task %1</source>
        <translation> · 任务 %1</translation>
    </message>
    <message>
        <source> · not validated (no model tokenizer yet)</source>
        <translation> · 未校验（尚无模型分词器）</translation>
    </message>
    <message>
        <source> · all valid</source>
        <translation> · 全部有效</translation>
    </message>
    <message>
        <source> · &lt;span style=&quot;color:#b00020&quot;&gt;with errors: %1&lt;/span&gt; (hover a red row)</source>
        <translation> · &lt;span style=&quot;color:#b00020&quot;&gt;有错误：%1&lt;/span&gt;（将鼠标悬停在红色行上）</translation>
    </message>
    <message>
        <source>Import Prompt Pairs</source>
        <translation>导入提示对</translation>
    </message>
    <message>
        <source>Prompt pairs (*.csv *.json);;All files (*)</source>
        <translation>提示对 (*.csv *.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Native CSV (*.csv)</source>
        <translation>原生 CSV (*.csv)</translation>
    </message>
    <message>
        <source>Native JSON (*.json)</source>
        <translation>原生 JSON (*.json)</translation>
    </message>
    <message>
        <source>EAP-IG CSV (*.csv)</source>
        <translation>EAP-IG CSV (*.csv)</translation>
    </message>
    <message>
        <source>auto-circuit JSON (*.json)</source>
        <translation>auto-circuit JSON (*.json)</translation>
    </message>
    <message>
        <source>Export Prompt Pairs</source>
        <translation>导出提示对</translation>
    </message>
    <message>
        <source>Generating pairs needs the model&apos;s tokenizer: load a model first.</source>
        <translation>生成提示对需要模型的分词器：请先加载模型。</translation>
    </message>
    <message>
        <source>Generate Prompt Pairs</source>
        <translation>生成提示对</translation>
    </message>
    <message>
        <source>Task:</source>
        <translation>任务：</translation>
    </message>
    <message>
        <source>Corruption:</source>
        <translation>损坏方式：</translation>
    </message>
    <message>
        <source>Pairs:</source>
        <translation>对数：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <source>IOI templates:</source>
        <translation>IOI 模板：</translation>
    </message>
    <message>
        <source>Induction length T:</source>
        <translation>归纳长度 T：</translation>
    </message>
    <message>
        <source>Generate %1 pairs</source>
        <translation>生成 %1 对</translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation>打开 %1</translation>
    </message>
    <message>
        <source>Undo: %1</source>
        <translation>撤销：%1</translation>
    </message>
    <message>
        <source>Nothing to undo</source>
        <translation>没有可撤销的操作</translation>
    </message>
    <message>
        <source>Redo: %1</source>
        <translation>重做：%1</translation>
    </message>
    <message>
        <source>Nothing to redo</source>
        <translation>没有可重做的操作</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::RunPanel</name>
    <message>
        <source>Method:</source>
        <translation>方法：</translation>
    </message>
    <message>
        <source>logit difference</source>
        <translation>logit 差</translation>
    </message>
    <message>
        <source>logit(answer) − logit(wrong answer)</source>
        <translation>logit(答案) − logit(错误答案)</translation>
    </message>
    <message>
        <source>probability difference</source>
        <translation>概率差</translation>
    </message>
    <message>
        <source>Σ p(answers) − Σ p(wrong answers) (greater-than)</source>
        <translation>Σ p(答案) − Σ p(错误答案)（greater-than）</translation>
    </message>
    <message>
        <source>KL divergence</source>
        <translation>KL 散度</translation>
    </message>
    <message>
        <source>KL(clean ‖ patched) at the answer position</source>
        <translation>答案位置上的 KL(干净 ‖ 修补)</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Cross-entropy of the answer</source>
        <translation>答案的交叉熵</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>指标：</translation>
    </message>
    <message>
        <source>corrupted prompt</source>
        <translation>损坏提示</translation>
    </message>
    <message>
        <source>Patch in the paired corrupted prompt&apos;s activation</source>
        <translation>填入配对的损坏提示的激活</translation>
    </message>
    <message>
        <source>zero</source>
        <translation>零</translation>
    </message>
    <message>
        <source>Zero ablation</source>
        <translation>置零消融</translation>
    </message>
    <message>
        <source>mean (per position)</source>
        <translation>平均（逐位置）</translation>
    </message>
    <message>
        <source>Mean over the corrupted prompts, per position</source>
        <translation>在损坏提示上逐位置取平均</translation>
    </message>
    <message>
        <source>mean (all positions)</source>
        <translation>平均（所有位置）</translation>
    </message>
    <message>
        <source>Mean over the corrupted prompts and positions</source>
        <translation>在损坏提示和所有位置上取平均</translation>
    </message>
    <message>
        <source>Reference:</source>
        <translation>参照：</translation>
    </message>
    <message>
        <source>Integrated-gradient steps m</source>
        <translation>积分梯度步数 m</translation>
    </message>
    <message>
        <source>Steps:</source>
        <translation>步数：</translation>
    </message>
    <message>
        <source>Prompt pairs per forward pass</source>
        <translation>每次前向传播的提示对数</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>批大小：</translation>
    </message>
    <message>
        <source>ACDC thresholds τ, comma-separated: one circuit each</source>
        <translation>ACDC 阈值 τ，以逗号分隔：每个阈值得到一个电路</translation>
    </message>
    <message>
        <source>ACDC τ:</source>
        <translation>ACDC τ：</translation>
    </message>
    <message>
        <source>every edge</source>
        <translation>所有边</translation>
    </message>
    <message>
        <source>ACDC visits only EAP&apos;s top k edges (0: every edge)</source>
        <translation>ACDC 只访问 EAP 得分最高的 k 条边（0：所有边）</translation>
    </message>
    <message>
        <source>ACDC on top:</source>
        <translation>ACDC 仅用于前：</translation>
    </message>
    <message>
        <source>per position</source>
        <translation>逐位置</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Run the method on the valid prompt pairs (Ctrl+R)</source>
        <translation>在有效提示对上运行该方法（Ctrl+R）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop the running computation (Esc)</source>
        <translation>停止正在进行的计算（Esc）</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Results computed in this session; select one to show it</source>
        <translation>本次会话中计算的结果；选择一项即可显示</translation>
    </message>
    <message>
        <source>%1 — %2%</source>
        <translation>%1 — %2%</translation>
    </message>
    <message>
        <source>k/v per query head (MIB)</source>
        <translation>每个查询头的 k/v（MIB）</translation>
    </message>
    <message>
        <source>Grouped-query models: give every query head its own key and value inputs in the graph (a3.h5&lt;k&gt;), as MIB&apos;s circuits for Llama, Qwen and Gemma were made, instead of one per key/value head (a3.kv1&lt;k&gt;, fewer edges)</source>
        <translation>分组查询注意力模型：在图中为每个查询头提供各自的键和值输入（a3.h5&lt;k&gt;），与 MIB 为 Llama、Qwen 和 Gemma 构建电路的方式相同，而不是每个键/值头一个（a3.kv1&lt;k&gt;，边更少）</translation>
    </message>
    <message>
        <source> · %1 elapsed</source>
        <translation> · 已用 %1</translation>
    </message>
    <message>
        <source>, about %1 left</source>
        <translation>，约剩 %1</translation>
    </message>
    <message>
        <source>Circuit at:</source>
        <translation>电路阈值：</translation>
    </message>
    <message>
        <source>ACDC found one circuit per threshold τ: choose the one on the graph</source>
        <translation>ACDC 为每个阈值 τ 找到一个电路：选择图上显示的那个</translation>
    </message>
    <message>
        <source>What this means (the user guide)</source>
        <translation>这是什么意思（用户指南）</translation>
    </message>
    <message>
        <source>Chosen for Gemma models (the ? says why).</source>
        <translation>为 Gemma 模型选择（? 中说明原因）。</translation>
    </message>
    <message>
        <source>On Gemma, EAP misses the circuits of the scaled embeddings; EAP-IG finds them.</source>
        <translation>在 Gemma 上，EAP 会漏掉缩放嵌入的电路；EAP-IG 能找到它们。</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::TokenView</name>
    <message>
        <source>Select a pair to see its tokens</source>
        <translation>选择一对以查看其词元</translation>
    </message>
    <message>
        <source>Load a model with a tokenizer to see tokens</source>
        <translation>加载带分词器的模型以查看词元</translation>
    </message>
    <message>
        <source>answer %1   wrong %2</source>
        <translation>答案 %1   错误 %2</translation>
    </message>
    <message>
        <source>clean</source>
        <translation>干净</translation>
    </message>
    <message>
        <source>corrupted</source>
        <translation>损坏</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Find and inspect circuits in transformer language models.
Without --model, opens the bundled demo model and its induction dataset.</source>
        <translation>在 Transformer 语言模型中发现并检查电路。
未指定 --model 时，打开自带的演示模型及其归纳数据集。</translation>
    </message>
    <message>
        <source>Open the model &lt;path&gt;: a GGUF file, a safetensors file, or a Hugging Face model folder (config.json, model.safetensors, tokenizer.json).</source>
        <translation>打开模型 &lt;path&gt;：GGUF 文件、safetensors 文件或 Hugging Face 模型文件夹（config.json、model.safetensors、tokenizer.json）。</translation>
    </message>
    <message>
        <source>Open the prompt-pair file &lt;file&gt; (CSV or JSON).</source>
        <translation>打开提示对文件 &lt;file&gt;（CSV 或 JSON）。</translation>
    </message>
    <message>
        <source>Load the model on &lt;device&gt;: cpu, cuda, cuda:N or auto (default: cpu).</source>
        <translation>在 &lt;device&gt; 上加载模型：cpu、cuda、cuda:N 或 auto（默认：cpu）。</translation>
    </message>
    <message>
        <source>Compute in &lt;dtype&gt;: float32, bfloat16 or float16 (default: float32).</source>
        <translation>以 &lt;dtype&gt; 计算：float32、bfloat16 或 float16（默认：float32）。</translation>
    </message>
    <message>
        <source>Once the model has loaded, run &lt;method&gt; (eap, eap-ig, atp, activation-patching, exact, acdc, …) on the prompt pairs.</source>
        <translation>模型加载后，在提示对上运行 &lt;method&gt;（eap、eap-ig、atp、activation-patching、exact、acdc……）。</translation>
    </message>
    <message>
        <source>Open the saved session &lt;file&gt; (.pbsession): its model, prompt pairs, scores and view.</source>
        <translation>打开已保存的会话 &lt;file&gt;（.pbsession）：包括模型、提示对、得分和视图。</translation>
    </message>
    <message>
        <source>A .pbsession file to open (as --session).</source>
        <translation>要打开的 .pbsession 文件（同 --session）。</translation>
    </message>
    <message>
        <source>Unexpected argument: %1 (see --help)</source>
        <translation>意外的参数：%1（参见 --help）</translation>
    </message>
    <message>
        <source>Show the window in &lt;lang&gt;: en, de or zh_CN (default: the language chosen in View &gt; Language, else the system&apos;s).</source>
        <translation>以 &lt;lang&gt; 显示窗口：en、de 或 zh_CN（默认：“视图 &gt; 语言”中所选语言，否则为系统语言）。</translation>
    </message>
    <message>
        <source>Show the circuit file &lt;file&gt; on the graph (EAP-IG/MIB JSON, a Patchbay circuit, auto-circuit&apos;s edge list, …), as File &gt; Import Circuit.</source>
        <translation>在图上显示电路文件 &lt;file&gt;（EAP-IG/MIB JSON、Patchbay 电路、auto-circuit 的边列表等），同 文件 &gt; 导入电路。</translation>
    </message>
</context>
</TS>
