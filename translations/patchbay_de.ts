<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>patchbay::ui::AttentionGrid</name>
    <message>
        <source>a%1.h%2 · query %3, key %4</source>
        <translation>a%1.h%2 · Query %3, Key %4</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::ComputeWorker</name>
    <message>
        <source> (%1 steps)</source>
        <translation> (%1 Schritte)</translation>
    </message>
    <message>
        <source> (τ %1)</source>
        <translation> (τ %1)</translation>
    </message>
    <message>
        <source> per position</source>
        <translation> je Position</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>Es ist kein Modell geladen.</translation>
    </message>
    <message>
        <source>Preparing the reference activations</source>
        <translation>Bereite die Referenzaktivierungen vor</translation>
    </message>
    <message>
        <source>The computation failed with an unnamed error.</source>
        <translation>Die Berechnung ist mit einem unbenannten Fehler gescheitert.</translation>
    </message>
    <message>
        <source>The computation failed with an unknown error.</source>
        <translation>Die Berechnung ist mit einem unbekannten Fehler gescheitert.</translation>
    </message>
    <message>
        <source>circuit metric</source>
        <translation>Schaltkreis-Metrik</translation>
    </message>
    <message>
        <source>The circuit has %1 edges but the model&apos;s graph has %2.</source>
        <translation>Der Schaltkreis hat %1 Kanten, der Graph des Modells aber %2.</translation>
    </message>
    <message>
        <source>attention patterns</source>
        <translation>Aufmerksamkeitsmuster</translation>
    </message>
    <message>
        <source>logit lens</source>
        <translation>Logit-Linse</translation>
    </message>
    <message>
        <source> (k/v per query head)</source>
        <translation> (k/v je Query-Kopf)</translation>
    </message>
    <message>
        <source>generated %1</source>
        <translation>erzeugt: %1</translation>
    </message>
    <message>
        <source>unnamed pairs</source>
        <translation>unbenannte Paare</translation>
    </message>
    <message>
        <source>finding induction heads</source>
        <translation>Induktionsköpfe suchen</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::GraphCanvas</name>
    <message>
        <source>Name %1…</source>
        <translation>%1 benennen …</translation>
    </message>
    <message>
        <source>Group %1…</source>
        <translation>%1 gruppieren …</translation>
    </message>
    <message>
        <source>Patch or restore its edges</source>
        <translation>Seine Kanten patchen oder wiederherstellen</translation>
    </message>
    <message>
        <source>Top n</source>
        <translation>Beste n</translation>
    </message>
    <message>
        <source>|score| ≥</source>
        <translation>|Score| ≥</translation>
    </message>
    <message>
        <source>Share of Σ|score|</source>
        <translation>Anteil an Σ|Score|</translation>
    </message>
    <message>
        <source>In circuit</source>
        <translation>Im Schaltkreis</translation>
    </message>
    <message>
        <source>Which edges are drawn</source>
        <translation>Welche Kanten gezeichnet werden</translation>
    </message>
    <message>
        <source>Colour by sign</source>
        <translation>Farbe nach Vorzeichen</translation>
    </message>
    <message>
        <source>Colour by q/k/v</source>
        <translation>Farbe nach q/k/v</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <source>Zoom to the whole graph (wheel: zoom, middle button: pan)</source>
        <translation>Auf den ganzen Graphen zoomen (Mausrad: zoomen, mittlere Taste: verschieben)</translation>
    </message>
    <message>
        <source>Patch</source>
        <translation>Patchen</translation>
    </message>
    <message>
        <source>Patch the selected edges and the edges of the selected nodes (drag a box to select)</source>
        <translation>Die gewählten Kanten und die Kanten der gewählten Knoten patchen (zum Auswählen ein Rechteck ziehen)</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <source>Restore the selected edges and the edges of the selected nodes</source>
        <translation>Die gewählten Kanten und die Kanten der gewählten Knoten wiederherstellen</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <source>The circuit becomes the drawn top edges of the current scores</source>
        <translation>Der Schaltkreis wird zu den gezeichneten besten Kanten der aktuellen Scores</translation>
    </message>
    <message>
        <source>No circuit yet: run an edge method (EAP, EAP-IG, ACDC, …) or import a circuit file.</source>
        <translation>Noch kein Schaltkreis: Führen Sie eine Kantenmethode aus (EAP, EAP-IG, ACDC, …) oder importieren Sie eine Schaltkreisdatei.</translation>
    </message>
    <message>
        <source>%1 · %2 edges, %3 in the circuit</source>
        <translation>%1 · %2 Kanten, %3 im Schaltkreis</translation>
    </message>
    <message>
        <source>%1 edges</source>
        <translation>%1 Kanten</translation>
    </message>
    <message>
        <source>%1 in circuit</source>
        <translation>%1 im Schaltkreis</translation>
    </message>
    <message>
        <source> (%1 drawn)</source>
        <translation> (%1 gezeichnet)</translation>
    </message>
    <message>
        <source>The graph could not be laid out: %1</source>
        <translation>Der Graph konnte nicht angeordnet werden: %1</translation>
    </message>
    <message>
        <source>
score %1 (the metric&apos;s estimated change when patched)</source>
        <translation>
Score %1 (geschätzte Änderung der Metrik beim Patchen)</translation>
    </message>
    <message>
        <source>
click to patch or restore</source>
        <translation>
Klicken zum Patchen oder Wiederherstellen</translation>
    </message>
    <message>
        <source>Patch %1</source>
        <translation>%1 patchen</translation>
    </message>
    <message>
        <source>Restore %1</source>
        <translation>%1 wiederherstellen</translation>
    </message>
    <message>
        <source>Patch the edges of %1</source>
        <translation>Die Kanten von %1 patchen</translation>
    </message>
    <message>
        <source>Restore the edges of %1</source>
        <translation>Die Kanten von %1 wiederherstellen</translation>
    </message>
    <message>
        <source>Reset to the top %1</source>
        <translation>Auf die besten %1 zurücksetzen</translation>
    </message>
    <message numerus="yes">
        <source>Restore %n edges</source>
        <translation>
            <numerusform>%n Kante wiederherstellen</numerusform>
            <numerusform>%n Kanten wiederherstellen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Patch %n edges</source>
        <translation>
            <numerusform>%n Kante patchen</numerusform>
            <numerusform>%n Kanten patchen</numerusform>
        </translation>
    </message>
    <message>
        <source>undefined</source>
        <translation>undefiniert</translation>
    </message>
    <message>
        <source>&lt;b&gt;metric %1&lt;/b&gt; · faithfulness &lt;b&gt;%2&lt;/b&gt; · clean %3 · all patched %4 · %5 of %6 edges kept</source>
        <translation>&lt;b&gt;Metrik %1&lt;/b&gt; · Treue &lt;b&gt;%2&lt;/b&gt; · sauber %3 · alles gepatcht %4 · %5 von %6 Kanten behalten</translation>
    </message>
    <message>
        <source>Group of %1</source>
        <translation>Gruppe von %1</translation>
    </message>
    <message>
        <source>Name of %1</source>
        <translation>Name von %1</translation>
    </message>
    <message>
        <source>Group (empty: none)</source>
        <translation>Gruppe (leer: keine)</translation>
    </message>
    <message>
        <source>Label (empty: none)</source>
        <translation>Bezeichnung (leer: keine)</translation>
    </message>
    <message>
        <source>There is no graph to export.</source>
        <translation>Es gibt keinen Graphen zum Exportieren.</translation>
    </message>
    <message>
        <source>%1 cannot be written.</source>
        <translation>%1 kann nicht geschrieben werden.</translation>
    </message>
    <message>
        <source>%1: choose .svg or .png for a drawing.</source>
        <translation>%1: Für eine Zeichnung .svg oder .png wählen.</translation>
    </message>
    <message>
        <source>
measured: patching it changed the metric by %1</source>
        <translation>
gemessen: Patchen änderte die Metrik um %1</translation>
    </message>
    <message>
        <source>1 edge</source>
        <translation>1 Kante</translation>
    </message>
    <message>
        <source>≥ %1: %2</source>
        <translation>≥ %1: %2</translation>
    </message>
    <message>
        <source>%1%: %2</source>
        <translation>%1 %: %2</translation>
    </message>
    <message>
        <source>The filter&apos;s number: edges drawn, the |score| threshold, or the share of Σ|score| in %</source>
        <translation>Die Zahl des Filters: gezeichnete Kanten, die |Score|-Schwelle oder der Anteil an Σ|Score| in %</translation>
    </message>
    <message>
        <source>query</source>
        <translation>Query</translation>
    </message>
    <message>
        <source>key</source>
        <translation>Key</translation>
    </message>
    <message>
        <source>value</source>
        <translation>Value</translation>
    </message>
    <message>
        <source>MLP, logits</source>
        <translation>MLP, Logits</translation>
    </message>
    <message>
        <source>metric rises when patched</source>
        <translation>Metrik steigt beim Patchen</translation>
    </message>
    <message>
        <source>metric falls when patched</source>
        <translation>Metrik fällt beim Patchen</translation>
    </message>
    <message>
        <source>no scores</source>
        <translation>keine Scores</translation>
    </message>
    <message>
        <source>width ∝ |score| (widest %1)</source>
        <translation>Breite ∝ |Score| (breiteste %1)</translation>
    </message>
    <message>
        <source>dashed: patched</source>
        <translation>gestrichelt: gepatcht</translation>
    </message>
    <message>
        <source>Find a node…</source>
        <translation>Knoten suchen…</translation>
    </message>
    <message>
        <source>A node&apos;s name (a1.h3, m0, logits), label or group; Enter selects it</source>
        <translation>Name (a1.h3, m0, logits), Beschriftung oder Gruppe eines Knotens; Enter wählt ihn aus</translation>
    </message>
    <message>
        <source>Edge</source>
        <translation>Kante</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>Score</translation>
    </message>
    <message>
        <source>In the circuit (unticked: patched to its reference)</source>
        <translation>Im Schaltkreis (ohne Haken: auf die Referenz gepatcht)</translation>
    </message>
    <message>
        <source>%1: %2 in, %3 out</source>
        <translation>%1: %2 hinein, %3 hinaus</translation>
    </message>
    <message>
        <source>Type a node&apos;s name or label</source>
        <translation>Name oder Beschriftung eines Knotens eingeben</translation>
    </message>
    <message>
        <source>No circuit on the graph</source>
        <translation>Kein Schaltkreis im Graphen</translation>
    </message>
    <message>
        <source>No node “%1”</source>
        <translation>Kein Knoten „%1“</translation>
    </message>
    <message>
        <source>%1 has no drawn edge: widen the filter above</source>
        <translation>%1 hat keine gezeichnete Kante: den Filter oben erweitern</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <source>Layers: one row per layer, every head in its place (the circuit diagram); Graphviz: a free layout that may read better for a few edges</source>
        <translation>Schichten: eine Zeile je Schicht, jeder Kopf an seinem Platz (das Schaltkreisdiagramm); Graphviz: ein freies Layout, das bei wenigen Kanten besser lesbar sein kann</translation>
    </message>
    <message>
        <source>Edges</source>
        <translation>Kanten</translation>
    </message>
    <message>
        <source>The selected node&apos;s edges in a table beside the graph, sortable by score</source>
        <translation>Die Kanten des gewählten Knotens in einer Tabelle neben dem Graphen, nach Score sortierbar</translation>
    </message>
    <message>
        <source>Hide the edge table</source>
        <translation>Kantentabelle ausblenden</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>Schicht %1</translation>
    </message>
    <message>
        <source>Select a node to list its edges</source>
        <translation>Einen Knoten wählen, um seine Kanten aufzulisten</translation>
    </message>
    <message>
        <source>%1 has no edges</source>
        <translation>%1 hat keine Kanten</translation>
    </message>
    <message>
        <source>Expand %1</source>
        <translation>%1 aufklappen</translation>
    </message>
    <message>
        <source>Patch the outputs of %1</source>
        <translation>Die Ausgänge von %1 patchen</translation>
    </message>
    <message>
        <source>Restore the outputs of %1</source>
        <translation>Die Ausgänge von %1 wiederherstellen</translation>
    </message>
    <message>
        <source>Dissolve %1</source>
        <translation>%1 auflösen</translation>
    </message>
    <message>
        <source>Collapse %1</source>
        <translation>%1 zuklappen</translation>
    </message>
    <message numerus="yes">
        <source>Group the %n selected nodes…</source>
        <translation>
            <numerusform>Den %n gewählten Knoten gruppieren …</numerusform>
            <numerusform>Die %n gewählten Knoten gruppieren …</numerusform>
        </translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>Gruppen</translation>
    </message>
    <message>
        <source>Put the selected heads into a named group (drag a box around them first), and draw a group as one node</source>
        <translation>Die gewählten Köpfe in eine benannte Gruppe legen (zuerst ein Rechteck um sie ziehen) und eine Gruppe als einen Knoten zeichnen</translation>
    </message>
    <message>
        <source>Group %1: %2
right-click to expand it or patch its outputs</source>
        <translation>Gruppe %1: %2
Rechtsklick zum Aufklappen oder Patchen ihrer Ausgänge</translation>
    </message>
    <message>
        <source>%1: not drawn under the current filter</source>
        <translation>%1: unter dem aktuellen Filter nicht gezeichnet</translation>
    </message>
    <message>
        <source>Select heads to group first: drag a box around them</source>
        <translation>Zuerst die zu gruppierenden Köpfe wählen: ein Rechteck um sie ziehen</translation>
    </message>
    <message>
        <source>Group the selected nodes…</source>
        <translation>Die gewählten Knoten gruppieren …</translation>
    </message>
    <message>
        <source>Collapsed into one node</source>
        <translation>Zu einem Knoten zugeklappt</translation>
    </message>
    <message numerus="yes">
        <source>%1 → %2: %n edges</source>
        <translation>
            <numerusform>%1 → %2: %n Kante</numerusform>
            <numerusform>%1 → %2: %n Kanten</numerusform>
        </translation>
    </message>
    <message>
        <source>
sum of their scores %1</source>
        <translation>
Summe ihrer Scores %1</translation>
    </message>
    <message>
        <source>
click to patch or restore them all</source>
        <translation>
Klicken, um alle zu patchen oder wiederherzustellen</translation>
    </message>
    <message>
        <source>What the metric and faithfulness mean (the user guide)</source>
        <translation>Was Metrik und Treue bedeuten (Benutzerhandbuch)</translation>
    </message>
    <message>
        <source>%1 · 1 head</source>
        <translation>%1 · 1 Kopf</translation>
    </message>
    <message>
        <source>%1 · %2 heads</source>
        <translation>%1 · %2 Köpfe</translation>
    </message>
    <message>
        <source>New group</source>
        <translation>Neue Gruppe</translation>
    </message>
    <message>
        <source>Name of the group of %1 (e.g. name movers):</source>
        <translation>Name der Gruppe aus %1 (z. B. Name Mover):</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::HeadRoles</name>
    <message>
        <source>Head roles: attention on repeated random tokens</source>
        <translation>Kopfrollen: Aufmerksamkeit auf wiederholten Zufallstoken</translation>
    </message>
    <message>
        <source>attention</source>
        <translation>Aufmerksamkeit</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>head (induction | previous | duplicate)</source>
        <translation>Kopf (Induktion | Vorgänger | Duplikat)</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 und %n weiterer</numerusform>
            <numerusform>%1 und %n weitere</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>patchbay::ui::HeatmapView</name>
    <message>
        <source>No data</source>
        <translation>Keine Daten</translation>
    </message>
    <message>
        <source>Nothing to show</source>
        <translation>Nichts anzuzeigen</translation>
    </message>
    <message>
        <source>no value</source>
        <translation>kein Wert</translation>
    </message>
    <message>
        <source>%1: there is nothing to export yet</source>
        <translation>%1: Es gibt noch nichts zu exportieren</translation>
    </message>
    <message>
        <source>%1: unknown image type “%2” (use .png, .svg or .pdf)</source>
        <translation>%1: unbekannter Bildtyp „%2“ (.png, .svg oder .pdf verwenden)</translation>
    </message>
    <message>
        <source>%1: could not be written</source>
        <translation>%1: konnte nicht geschrieben werden</translation>
    </message>
    <message>
        <source>%1: could not be written (%2)</source>
        <translation>%1: konnte nicht geschrieben werden (%2)</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::LessonDock</name>
    <message>
        <source>The lessons shipped with Patchbay and those of folders you opened (Lessons &gt; Open a Lesson Folder…)</source>
        <translation>Die mit Patchbay gelieferten Lektionen und die aus geöffneten Ordnern (Lektionen &gt; Lektionsordner öffnen …)</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Antworten</translation>
    </message>
    <message>
        <source>Commit to your prediction; the step then tells you what was measured</source>
        <translation>Auf die Vorhersage festlegen; danach sagt der Schritt, was gemessen wurde</translation>
    </message>
    <message>
        <source>Hint</source>
        <translation>Hinweis</translation>
    </message>
    <message>
        <source>Show a hint for this step</source>
        <translation>Einen Hinweis zu diesem Schritt zeigen</translation>
    </message>
    <message>
        <source>Show me</source>
        <translation>Zeig es mir</translation>
    </message>
    <message>
        <source>Let Patchbay perform this step for you</source>
        <translation>Patchbay diesen Schritt für Sie ausführen lassen</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Zurück</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Weiter</translation>
    </message>
    <message>
        <source> (about %1 min)</source>
        <translation> (etwa %1 min)</translation>
    </message>
    <message>
        <source>There is no lesson “%1”.</source>
        <translation>Es gibt keine Lektion „%1“.</translation>
    </message>
    <message>
        <source>Choose a lesson above.</source>
        <translation>Oben eine Lektion wählen.</translation>
    </message>
    <message>
        <source>Lessons teach mechanistic interpretability step by step, in this window: each step asks you to do something and turns green when you have done it.</source>
        <translation>Lektionen lehren mechanistische Interpretierbarkeit Schritt für Schritt in diesem Fenster: Jeder Schritt bittet Sie, etwas zu tun, und wird grün, sobald Sie es getan haben.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; · step %2 of %3 · %4 done</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; · Schritt %2 von %3 · %4 erledigt</translation>
    </message>
    <message>
        <source>Answer the question first</source>
        <translation>Zuerst die Frage beantworten</translation>
    </message>
    <message>
        <source>✓ Done. You finished the lesson.</source>
        <translation>✓ Erledigt. Sie haben die Lektion abgeschlossen.</translation>
    </message>
    <message>
        <source>✓ Done. Press Next.</source>
        <translation>✓ Erledigt. Auf „Weiter“ drücken.</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>In Arbeit …</translation>
    </message>
    <message>
        <source>To do: %1</source>
        <translation>Zu tun: %1</translation>
    </message>
    <message>
        <source>open the demo model (File &gt; Open the Demo Model)</source>
        <translation>das Demo-Modell öffnen (Datei &gt; Demo-Modell öffnen)</translation>
    </message>
    <message>
        <source>open a model</source>
        <translation>ein Modell öffnen</translation>
    </message>
    <message>
        <source>open the model “%1”</source>
        <translation>das Modell „%1“ öffnen</translation>
    </message>
    <message>
        <source>have at least %1 valid prompt pairs</source>
        <translation>mindestens %1 gültige Prompt-Paare haben</translation>
    </message>
    <message>
        <source>have at least %1 valid “%2” prompt pairs</source>
        <translation>mindestens %1 gültige „%2“-Prompt-Paare haben</translation>
    </message>
    <message>
        <source>select the right node</source>
        <translation>den richtigen Knoten wählen</translation>
    </message>
    <message>
        <source>select one of the %1 heads with the largest |score|</source>
        <translation>einen der %1 Köpfe mit dem größten |Score| wählen</translation>
    </message>
    <message>
        <source>show the attention of %1 (Attention dock)</source>
        <translation>die Aufmerksamkeit von %1 zeigen (Bereich Aufmerksamkeit)</translation>
    </message>
    <message>
        <source>run %1 (Run dock) and show its result</source>
        <translation>%1 ausführen (Bereich Ausführen) und das Ergebnis zeigen</translation>
    </message>
    <message>
        <source>patch the edge %1 (click it on the graph)</source>
        <translation>die Kante %1 patchen (im Graphen anklicken)</translation>
    </message>
    <message>
        <source>keep the edge %1 in the circuit</source>
        <translation>die Kante %1 im Schaltkreis behalten</translation>
    </message>
    <message>
        <source>faithfulness ≥ %1</source>
        <translation>Treue ≥ %1</translation>
    </message>
    <message>
        <source>faithfulness ≤ %1</source>
        <translation>Treue ≤ %1</translation>
    </message>
    <message>
        <source>at least %1 edges kept</source>
        <translation>mindestens %1 Kanten behalten</translation>
    </message>
    <message>
        <source>at most %1 edges kept</source>
        <translation>höchstens %1 Kanten behalten</translation>
    </message>
    <message>
        <source>at most %1 % of the edges kept</source>
        <translation>höchstens %1 % der Kanten behalten</translation>
    </message>
    <message>
        <source>metric above %1</source>
        <translation>Metrik über %1</translation>
    </message>
    <message>
        <source>metric below %1</source>
        <translation>Metrik unter %1</translation>
    </message>
    <message>
        <source>a circuit on the graph whose metric has been computed</source>
        <translation>ein Schaltkreis im Graphen, dessen Metrik berechnet ist</translation>
    </message>
    <message>
        <source>a circuit on the graph with %1</source>
        <translation>ein Schaltkreis im Graphen mit %1</translation>
    </message>
    <message>
        <source>name the node %1 (right-click it on the graph)</source>
        <translation>den Knoten %1 benennen (im Graphen rechts anklicken)</translation>
    </message>
    <message>
        <source>import the circuit file (File &gt; Import Circuit…)</source>
        <translation>die Schaltkreisdatei importieren (Datei &gt; Schaltkreis importieren …)</translation>
    </message>
    <message>
        <source>put %1 in a group (Groups &gt; Group the selected nodes…)</source>
        <translation>%1 in eine Gruppe legen (Gruppen &gt; Die gewählten Knoten gruppieren …)</translation>
    </message>
    <message>
        <source>a check this version does not know: %1</source>
        <translation>eine Prüfung, die diese Version nicht kennt: %1</translation>
    </message>
    <message>
        <source>There is no circuit on the graph yet: run a method first.</source>
        <translation>Im Graphen ist noch kein Schaltkreis: zuerst eine Methode ausführen.</translation>
    </message>
    <message>
        <source>The graph has no edge %1.</source>
        <translation>Der Graph hat keine Kante %1.</translation>
    </message>
    <message>
        <source>The model “%1” has not been fetched: run tools/fetch-models.sh (see docs/models.md).</source>
        <translation>Das Modell „%1“ wurde nicht heruntergeladen: tools/fetch-models.sh ausführen (siehe docs/models.md).</translation>
    </message>
    <message>
        <source>There are no head scores yet: run a method first.</source>
        <translation>Es gibt noch keine Kopf-Scores: zuerst eine Methode ausführen.</translation>
    </message>
    <message>
        <source>%1 is not a head (a&lt;layer&gt;.h&lt;head&gt;).</source>
        <translation>%1 ist kein Kopf (a&lt;Schicht&gt;.h&lt;Kopf&gt;).</translation>
    </message>
    <message>
        <source>Restore %1</source>
        <translation>%1 wiederherstellen</translation>
    </message>
    <message>
        <source>Patch %1</source>
        <translation>%1 patchen</translation>
    </message>
    <message>
        <source>There is no circuit on the graph yet.</source>
        <translation>Im Graphen ist noch kein Schaltkreis.</translation>
    </message>
    <message>
        <source>The group “%1” could not be made.</source>
        <translation>Die Gruppe „%1“ konnte nicht angelegt werden.</translation>
    </message>
    <message>
        <source>An action this version does not know: %1</source>
        <translation>Eine Aktion, die diese Version nicht kennt: %1</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::LessonRunner</name>
    <message>
        <source>Choose your answer first.</source>
        <translation>Zuerst Ihre Antwort wählen.</translation>
    </message>
    <message>
        <source>This step has nothing to show: read it and go on.</source>
        <translation>Dieser Schritt hat nichts vorzuführen: lesen und weitergehen.</translation>
    </message>
    <message>
        <source>Hint:</source>
        <translation>Hinweis:</translation>
    </message>
    <message>
        <source>**Your prediction: right.**</source>
        <translation>**Ihre Vorhersage: richtig.**</translation>
    </message>
    <message>
        <source>**Your prediction was not right: %1**</source>
        <translation>**Ihre Vorhersage war nicht richtig: %1**</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::LogitLensView</name>
    <message>
        <source>Position</source>
        <translation>Position</translation>
    </message>
    <message>
        <source>The position whose residual stream is decoded; the answer is read at the last token</source>
        <translation>Die Position, deren Residualstrom dekodiert wird; die Antwort wird am letzten Token gelesen</translation>
    </message>
    <message>
        <source>Select a prompt pair to see the logit lens</source>
        <translation>Wählen Sie ein Prompt-Paar, um die Logit-Linse zu sehen</translation>
    </message>
    <message>
        <source>answer %1</source>
        <translation>Antwort %1</translation>
    </message>
    <message>
        <source>wrong %1</source>
        <translation>falsch %1</translation>
    </message>
    <message>
        <source>top %1</source>
        <translation>Top %1</translation>
    </message>
    <message>
        <source>%1 · rank %2</source>
        <translation>%1 · Rang %2</translation>
    </message>
    <message>
        <source>%1 (id %2): p = %3 after stage %4</source>
        <translation>%1 (ID %2): p = %3 nach Stufe %4</translation>
    </message>
    <message>
        <source>p = %1, rank %2 after stage %3</source>
        <translation>p = %1, Rang %2 nach Stufe %3</translation>
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
        <translation>CUDA (GPU)</translation>
    </message>
    <message>
        <source>Where the model runs; CUDA is offered when LibTorch has CUDA and a GPU is visible</source>
        <translation>Wo das Modell läuft; CUDA wird angeboten, wenn LibTorch CUDA hat und eine GPU sichtbar ist</translation>
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
        <translation>float16 (GPU)</translation>
    </message>
    <message>
        <source>Compute dtype; float32 gives the reference numbers</source>
        <translation>Rechen-Datentyp; float32 liefert die Referenzwerte</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>Neu laden</translation>
    </message>
    <message>
        <source>Load the current model again on this device and dtype</source>
        <translation>Das aktuelle Modell auf diesem Gerät und Datentyp neu laden</translation>
    </message>
    <message>
        <source>Run on:</source>
        <translation>Ausführen auf:</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>Architektur</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <source>Heads</source>
        <translation>Köpfe</translation>
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
        <translation>Vokabular</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>Kontext</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation>Tokenizer</translation>
    </message>
    <message>
        <source>Dtype</source>
        <translation>Datentyp</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>Gewichte</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren …</translation>
    </message>
    <message>
        <source>Select a prompt pair to see attention patterns</source>
        <translation>Wählen Sie ein Prompt-Paar, um Aufmerksamkeitsmuster zu sehen</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Prompt pairs</source>
        <translation>Prompt-Paare</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Ausführen</translation>
    </message>
    <message>
        <source>No scores yet

Choose a method in the Run panel and press Run.</source>
        <translation>Noch keine Scores

Wählen Sie im Bereich „Ausführen“ eine Methode und drücken Sie „Ausführen“.</translation>
    </message>
    <message>
        <source>Per-position scores come from activation patching with “per position” ticked.</source>
        <translation>Scores je Position liefert das Aktivierungs-Patching mit angekreuztem „je Position“.</translation>
    </message>
    <message>
        <source>Layer × head</source>
        <translation>Schicht × Kopf</translation>
    </message>
    <message>
        <source>Node × position</source>
        <translation>Knoten × Position</translation>
    </message>
    <message>
        <source>Save the visible heatmap as PNG, SVG or PDF</source>
        <translation>Die sichtbare Heatmap als PNG, SVG oder PDF speichern</translation>
    </message>
    <message>
        <source>Scores</source>
        <translation>Scores</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>Aufmerksamkeit</translation>
    </message>
    <message>
        <source>Logit lens</source>
        <translation>Logit-Linse</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>Open &amp;Model…</source>
        <translation>&amp;Modell öffnen …</translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder (config.json, safetensors weights, tokenizer)</source>
        <translation>Einen Hugging-Face-Modellordner öffnen (config.json, safetensors-Gewichte, Tokenizer)</translation>
    </message>
    <message>
        <source>Open &amp;Recent Model</source>
        <translation>&amp;Zuletzt verwendetes Modell öffnen</translation>
    </message>
    <message>
        <source>Open the &amp;Demo Model</source>
        <translation>&amp;Demo-Modell öffnen</translation>
    </message>
    <message>
        <source>Open &amp;Dataset…</source>
        <translation>&amp;Datensatz öffnen …</translation>
    </message>
    <message>
        <source>Open clean/corrupted prompt pairs (CSV or JSON, native or a peer tool&apos;s format)</source>
        <translation>Saubere/korrumpierte Prompt-Paare öffnen (CSV oder JSON, nativ oder im Format eines anderen Werkzeugs)</translation>
    </message>
    <message>
        <source>Open &amp;Session…</source>
        <translation>&amp;Sitzung öffnen …</translation>
    </message>
    <message>
        <source>Reopen saved work: model, prompt pairs, settings, scores and view</source>
        <translation>Gespeicherte Arbeit wieder öffnen: Modell, Prompt-Paare, Einstellungen, Scores und Ansicht</translation>
    </message>
    <message>
        <source>&amp;Save Session</source>
        <translation>Sitzung &amp;speichern</translation>
    </message>
    <message>
        <source>Save Session &amp;As…</source>
        <translation>Sitzung speichern &amp;unter …</translation>
    </message>
    <message>
        <source>Reopen &amp;Last Session</source>
        <translation>&amp;Letzte Sitzung wieder öffnen</translation>
    </message>
    <message>
        <source>The work of the last window closed, or autosaved before Patchbay stopped</source>
        <translation>Die Arbeit des zuletzt geschlossenen Fensters oder die vor dem Abbruch von Patchbay automatisch gespeicherte</translation>
    </message>
    <message>
        <source>&amp;Import Circuit…</source>
        <translation>Schaltkreis &amp;importieren …</translation>
    </message>
    <message>
        <source>Import Circuit</source>
        <translation>Schaltkreis importieren</translation>
    </message>
    <message>
        <source>Circuit files (*.json);;All files (*)</source>
        <translation>Schaltkreisdateien (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Show a circuit found by Patchbay or another tool (EAP-IG/MIB JSON, native) on the graph</source>
        <translation>Einen von Patchbay oder einem anderen Werkzeug gefundenen Schaltkreis (EAP-IG/MIB-JSON, nativ) im Graphen zeigen</translation>
    </message>
    <message>
        <source>Export the &amp;Graph&apos;s Circuit…</source>
        <translation>Schaltkreis des &amp;Graphen exportieren …</translation>
    </message>
    <message>
        <source>Export Circuit</source>
        <translation>Schaltkreis exportieren</translation>
    </message>
    <message>
        <source>Native circuit (*.json);;EAP-IG circuit (*.json);;Graphviz DOT (*.dot)</source>
        <translation>Nativer Schaltkreis (*.json);;EAP-IG-Schaltkreis (*.json);;Graphviz-DOT (*.dot)</translation>
    </message>
    <message>
        <source>Write the circuit as edited on the graph (kept edges, scores, labels)</source>
        <translation>Den Schaltkreis so schreiben, wie er im Graphen bearbeitet wurde (behaltene Kanten, Scores, Bezeichnungen)</translation>
    </message>
    <message>
        <source>Export the Graph &amp;Drawing…</source>
        <translation>&amp;Zeichnung des Graphen exportieren …</translation>
    </message>
    <message>
        <source>Export Drawing</source>
        <translation>Zeichnung exportieren</translation>
    </message>
    <message>
        <source>SVG (*.svg);;PNG (*.png)</source>
        <translation>SVG (*.svg);;PNG (*.png)</translation>
    </message>
    <message>
        <source>&amp;Export Scores as Circuit…</source>
        <translation>Scores als Schaltkreis &amp;exportieren …</translation>
    </message>
    <message>
        <source>Write the shown result&apos;s edge scores as a circuit file (native or EAP-IG JSON)</source>
        <translation>Die Kanten-Scores des gezeigten Ergebnisses als Schaltkreisdatei schreiben (nativ oder EAP-IG-JSON)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Ausführen</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Abbrechen</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Reset &amp;Layout</source>
        <translation>&amp;Anordnung zurücksetzen</translation>
    </message>
    <message>
        <source>Reset Layout</source>
        <translation>Anordnung zurücksetzen</translation>
    </message>
    <message>
        <source>The default layout is used from the next start.</source>
        <translation>Ab dem nächsten Start gilt die Standardanordnung.</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Patchbay</source>
        <translation>&amp;Über Patchbay</translation>
    </message>
    <message>
        <source>About Patchbay</source>
        <translation>Über Patchbay</translation>
    </message>
    <message>
        <source>&lt;b&gt;Patchbay&lt;/b&gt; %1&lt;br&gt;Find and inspect circuits in transformer language models.</source>
        <translation>&lt;b&gt;Patchbay&lt;/b&gt; %1&lt;br&gt;Schaltkreise in Transformer-Sprachmodellen finden und untersuchen.</translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation>Gerät: %1</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>Kein Modell</translation>
    </message>
    <message>
        <source>The bundled demo model is missing: %1</source>
        <translation>Das mitgelieferte Demo-Modell fehlt: %1</translation>
    </message>
    <message>
        <source>No model loaded

The bundled demo model was not found. Open a model folder with File &gt; Open Model…</source>
        <translation>Kein Modell geladen

Das mitgelieferte Demo-Modell wurde nicht gefunden. Öffnen Sie einen Modellordner mit Datei &gt; Modell öffnen …</translation>
    </message>
    <message>
        <source>Loading %1… %p%</source>
        <translation>Lade %1 … %p %</translation>
    </message>
    <message>
        <source>Open Model Folder</source>
        <translation>Modellordner öffnen</translation>
    </message>
    <message>
        <source>Open Prompt Pairs</source>
        <translation>Prompt-Paare öffnen</translation>
    </message>
    <message>
        <source>Prompt pairs (*.csv *.json);;All files (*)</source>
        <translation>Prompt-Paare (*.csv *.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>There are no scores to export: run a method first.</source>
        <translation>Es gibt keine Scores zum Exportieren: Führen Sie zuerst eine Methode aus.</translation>
    </message>
    <message>
        <source>Export Scores as Circuit</source>
        <translation>Scores als Schaltkreis exportieren</translation>
    </message>
    <message>
        <source>Patchbay circuit (*.json);;EAP-IG circuit (*.json)</source>
        <translation>Patchbay-Schaltkreis (*.json);;EAP-IG-Schaltkreis (*.json)</translation>
    </message>
    <message>
        <source>Export View</source>
        <translation>Ansicht exportieren</translation>
    </message>
    <message>
        <source>PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)</source>
        <translation>PNG-Bild (*.png);;SVG-Zeichnung (*.svg);;PDF-Dokument (*.pdf)</translation>
    </message>
    <message>
        <source>The model in %1 has changed since the session was saved (weights fingerprint %2, now %3): the session&apos;s scores belong to the old weights and are not shown. Run again to score these weights.</source>
        <translation>Das Modell in %1 hat sich seit dem Speichern der Sitzung geändert (Gewichts-Fingerabdruck %2, jetzt %3): Die Scores der Sitzung gehören zu den alten Gewichten und werden nicht gezeigt. Führen Sie die Methode erneut aus, um diese Gewichte zu bewerten.</translation>
    </message>
    <message>
        <source>%1 pairs · %2 s · clean %3 · reference %4</source>
        <translation>%1 Paare · %2 s · sauber %3 · Referenz %4</translation>
    </message>
    <message>
        <source>Done in %1 s on %2 pairs: clean %3, reference %4</source>
        <translation>Fertig in %1 s mit %2 Paaren: sauber %3, Referenz %4</translation>
    </message>
    <message>
        <source>No model loaded

%1</source>
        <translation>Kein Modell geladen

%1</translation>
    </message>
    <message>
        <source>The session&apos;s model could not be loaded: %1. Open the model with File &gt; Open Model…; the session&apos;s pairs and scores are kept.</source>
        <translation>Das Modell der Sitzung konnte nicht geladen werden: %1. Öffnen Sie das Modell mit Datei &gt; Modell öffnen …; Paare und Scores der Sitzung bleiben erhalten.</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>No attention patterns: %1</source>
        <translation>Keine Aufmerksamkeitsmuster: %1</translation>
    </message>
    <message>
        <source>No logit lens: %1</source>
        <translation>Keine Logit-Linse: %1</translation>
    </message>
    <message>
        <source>No metric: %1</source>
        <translation>Keine Metrik: %1</translation>
    </message>
    <message>
        <source>Loading cancelled</source>
        <translation>Laden abgebrochen</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Load a model first.</source>
        <translation>Laden Sie zuerst ein Modell.</translation>
    </message>
    <message>
        <source>Open or generate prompt pairs first.</source>
        <translation>Öffnen oder erzeugen Sie zuerst Prompt-Paare.</translation>
    </message>
    <message>
        <source>There are no valid prompt pairs to run on.</source>
        <translation>Es gibt keine gültigen Prompt-Paare zum Ausführen.</translation>
    </message>
    <message>
        <source>A computation is running; cancel it or wait for it to finish.</source>
        <translation>Eine Berechnung läuft; brechen Sie sie ab oder warten Sie, bis sie fertig ist.</translation>
    </message>
    <message>
        <source>Shown from the results of this session (same model, pairs and settings).</source>
        <translation>Aus den Ergebnissen dieser Sitzung gezeigt (gleiches Modell, gleiche Paare und Einstellungen).</translation>
    </message>
    <message>
        <source>Running %1…</source>
        <translation>%1 läuft …</translation>
    </message>
    <message>
        <source>%1 (family %2)</source>
        <translation>%1 (Familie %2)</translation>
    </message>
    <message>
        <source>%1 (%2 key/value heads)</source>
        <translation>%1 (%2 Key/Value-Köpfe)</translation>
    </message>
    <message>
        <source>none (text prompts cannot be encoded)</source>
        <translation>keiner (Text-Prompts können nicht kodiert werden)</translation>
    </message>
    <message>
        <source>%1, prepends BOS</source>
        <translation>%1, stellt BOS voran</translation>
    </message>
    <message>
        <source>%1 (stored as %2)</source>
        <translation>%1 (gespeichert als %2)</translation>
    </message>
    <message>
        <source>%1 · %2 layers × %3 heads</source>
        <translation>%1 · %2 Schichten × %3 Köpfe</translation>
    </message>
    <message>
        <source>%1
loaded in %2 s</source>
        <translation>%1
geladen in %2 s</translation>
    </message>
    <message>
        <source>Device: %1 · %2</source>
        <translation>Gerät: %1 · %2</translation>
    </message>
    <message>
        <source>node score (sum of its edges)</source>
        <translation>Knoten-Score (Summe seiner Kanten)</translation>
    </message>
    <message>
        <source>score</source>
        <translation>Score</translation>
    </message>
    <message>
        <source>MLP</source>
        <translation>MLP</translation>
    </message>
    <message>
        <source> · input %1</source>
        <translation> · Eingabe %1</translation>
    </message>
    <message>
        <source>The clean prompt cannot be encoded: %1</source>
        <translation>Der saubere Prompt kann nicht kodiert werden: %1</translation>
    </message>
    <message>
        <source>This pair has no tokens to show</source>
        <translation>Dieses Paar hat keine Tokens zum Anzeigen</translation>
    </message>
    <message>
        <source>Select a prompt pair to see the logit lens</source>
        <translation>Wählen Sie ein Prompt-Paar, um die Logit-Linse zu sehen</translation>
    </message>
    <message>
        <source>attention</source>
        <translation>Aufmerksamkeit</translation>
    </message>
    <message>
        <source>Load a model to compute the circuit&apos;s metric.</source>
        <translation>Laden Sie ein Modell, um die Metrik des Schaltkreises zu berechnen.</translation>
    </message>
    <message>
        <source>This circuit cannot run on %1: %2.</source>
        <translation>Dieser Schaltkreis kann nicht auf %1 laufen: %2.</translation>
    </message>
    <message>
        <source>This circuit&apos;s graph (%1) is not the model&apos;s (%2).</source>
        <translation>Der Graph dieses Schaltkreises (%1) ist nicht der des Modells (%2).</translation>
    </message>
    <message>
        <source>No valid prompt pairs to compute the metric on.</source>
        <translation>Keine gültigen Prompt-Paare, auf denen die Metrik berechnet werden könnte.</translation>
    </message>
    <message>
        <source>The circuit could not be imported: %1</source>
        <translation>Der Schaltkreis konnte nicht importiert werden: %1</translation>
    </message>
    <message>
        <source>There is no circuit on the graph to export.</source>
        <translation>Im Graphen ist kein Schaltkreis zum Exportieren.</translation>
    </message>
    <message>
        <source>The circuit could not be exported: %1</source>
        <translation>Der Schaltkreis konnte nicht exportiert werden: %1</translation>
    </message>
    <message>
        <source>The session could not be saved: %1</source>
        <translation>Die Sitzung konnte nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>Session saved to %1</source>
        <translation>Sitzung gespeichert in %1</translation>
    </message>
    <message>
        <source>A computation is running; cancel it or wait for it to finish before opening a session.</source>
        <translation>Eine Berechnung läuft; brechen Sie sie ab oder warten Sie, bevor Sie eine Sitzung öffnen.</translation>
    </message>
    <message>
        <source>The session could not be opened: %1</source>
        <translation>Die Sitzung konnte nicht geöffnet werden: %1</translation>
    </message>
    <message>
        <source>Autosave failed: %1</source>
        <translation>Automatisches Speichern fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Patchbay did not close cleanly last time. File &gt; Reopen Last Session brings back the work autosaved at %1.</source>
        <translation>Patchbay wurde beim letzten Mal nicht sauber beendet. Datei &gt; Letzte Sitzung wieder öffnen holt die um %1 automatisch gespeicherte Arbeit zurück.</translation>
    </message>
    <message>
        <source>There is no last session to reopen.</source>
        <translation>Es gibt keine letzte Sitzung zum Wiederöffnen.</translation>
    </message>
    <message>
        <source>Open Session</source>
        <translation>Sitzung öffnen</translation>
    </message>
    <message>
        <source>Patchbay sessions (*.pbsession);;All files (*)</source>
        <translation>Patchbay-Sitzungen (*.pbsession);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Save Session</source>
        <translation>Sitzung speichern</translation>
    </message>
    <message>
        <source>Patchbay sessions (*.pbsession)</source>
        <translation>Patchbay-Sitzungen (*.pbsession)</translation>
    </message>
    <message>
        <source>The bundled 2-layer model with its induction pairs</source>
        <translation>Das mitgelieferte 2-schichtige Modell mit seinen Induktionspaaren</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>The language changes at the next start.</source>
        <translation>Die Sprache wechselt beim nächsten Start.</translation>
    </message>
    <message>
        <source>No model loaded

File &gt; Open Model… opens a GGUF file, a safetensors file or a Hugging Face model folder.</source>
        <translation>Kein Modell geladen

Datei &gt; Modell öffnen … öffnet eine GGUF-Datei, eine safetensors-Datei oder einen Hugging-Face-Modellordner.</translation>
    </message>
    <message>
        <source>Open a GGUF file, a safetensors file, or a Hugging Face model folder (choose its config.json)</source>
        <translation>Eine GGUF-Datei, eine safetensors-Datei oder einen Hugging-Face-Modellordner öffnen (dessen config.json wählen)</translation>
    </message>
    <message>
        <source>Open Model &amp;Folder…</source>
        <translation>Modell&amp;ordner öffnen …</translation>
    </message>
    <message>
        <source>Open Fe&amp;tched Model</source>
        <translation>&amp;Heruntergeladenes Modell öffnen</translation>
    </message>
    <message>
        <source>Open Model</source>
        <translation>Modell öffnen</translation>
    </message>
    <message>
        <source>Models (*.gguf *.safetensors config.json);;GGUF files (*.gguf);;Hugging Face folders (config.json);;All files (*)</source>
        <translation>Modelle (*.gguf *.safetensors config.json);;GGUF-Dateien (*.gguf);;Hugging-Face-Ordner (config.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>None fetched: run tools/fetch-models.sh</source>
        <translation>Keine heruntergeladen: tools/fetch-models.sh ausführen</translation>
    </message>
    <message>
        <source>This circuit has a key/value input per query head (MIB&apos;s layout): tick “k/v per query head” in the Run panel to compute its metric on that graph.</source>
        <translation>Dieser Schaltkreis hat einen Key/Value-Eingang je Query-Kopf (MIBs Layout): „k/v je Query-Kopf“ im Ausführen-Bereich ankreuzen, um seine Metrik auf diesem Graphen zu berechnen.</translation>
    </message>
    <message>
        <source>This circuit has one key/value input per key/value head: untick “k/v per query head” in the Run panel to compute its metric.</source>
        <translation>Dieser Schaltkreis hat einen Key/Value-Eingang je Key/Value-Kopf: „k/v je Query-Kopf“ im Ausführen-Bereich abwählen, um seine Metrik zu berechnen.</translation>
    </message>
    <message>
        <source>reopening the last session</source>
        <translation>die letzte Sitzung wieder geöffnet wird</translation>
    </message>
    <message>
        <source>closing</source>
        <translation>das Fenster geschlossen wird</translation>
    </message>
    <message>
        <source>Opened %1. The pairs it replaced were in no file: Edit &gt; Undo brings them back.</source>
        <translation>%1 geöffnet. Die ersetzten Paare waren in keiner Datei: Bearbeiten &gt; Rückgängig holt sie zurück.</translation>
    </message>
    <message>
        <source>%1 pairs</source>
        <translation>%1 Paare</translation>
    </message>
    <message>
        <source>%1[*] — Patchbay</source>
        <translation>%1[*] — Patchbay</translation>
    </message>
    <message>
        <source>prompt pairs edited or generated</source>
        <translation>bearbeitete oder erzeugte Prompt-Paare</translation>
    </message>
    <message>
        <source>runs or node labels</source>
        <translation>Läufe oder Knotenbeschriftungen</translation>
    </message>
    <message>
        <source>edges patched on the graph</source>
        <translation>im Graphen gepatchte Kanten</translation>
    </message>
    <message>
        <source>This window holds work that is in no file: %1. Save it as a session before %2?</source>
        <translation>Dieses Fenster enthält Arbeit, die in keiner Datei steht: %1. Als Sitzung speichern, bevor %2?</translation>
    </message>
    <message>
        <source>Unsaved Work</source>
        <translation>Ungesicherte Arbeit</translation>
    </message>
    <message>
        <source>The work of the last window closed (%1) is under File &gt; Reopen Last Session.</source>
        <translation>Die Arbeit des zuletzt geschlossenen Fensters (%1) liegt unter Datei &gt; Letzte Sitzung wieder öffnen.</translation>
    </message>
    <message>
        <source>opening %1</source>
        <translation>%1 geöffnet wird</translation>
    </message>
    <message>
        <source>The metric of the edited circuit is computed when the running job ends…</source>
        <translation>Die Metrik des bearbeiteten Schaltkreises wird berechnet, sobald der laufende Auftrag endet …</translation>
    </message>
    <message>
        <source>Computing the metric of the edited circuit…</source>
        <translation>Die Metrik des bearbeiteten Schaltkreises wird berechnet …</translation>
    </message>
    <message>
        <source>The user guide was not found beside the program (share/patchbay/docs).</source>
        <translation>Das Benutzerhandbuch wurde neben dem Programm nicht gefunden (share/patchbay/docs).</translation>
    </message>
    <message>
        <source>Patchbay User Guide</source>
        <translation>Patchbay-Benutzerhandbuch</translation>
    </message>
    <message>
        <source>&amp;User Guide</source>
        <translation>&amp;Benutzerhandbuch</translation>
    </message>
    <message>
        <source>The user guide, offline: installing, the tutorials, the methods, the file formats</source>
        <translation>Das Benutzerhandbuch, offline: Installation, Tutorials, Methoden, Dateiformate</translation>
    </message>
    <message>
        <source>Details…</source>
        <translation>Details …</translation>
    </message>
    <message>
        <source>Show the whole message</source>
        <translation>Die ganze Meldung zeigen</translation>
    </message>
    <message>
        <source>ACDC keeps or removes edges; it gives no node scores.

Its circuit at τ = %1 (%2 of %3 edges kept, metric %4) is on the graph.</source>
        <translation>ACDC behält oder entfernt Kanten; Knoten-Scores liefert es nicht.

Sein Schaltkreis bei τ = %1 (%2 von %3 Kanten behalten, Metrik %4) ist im Graphen.</translation>
    </message>
    <message>
        <source>%1 gives no node scores; its edges are on the graph.</source>
        <translation>%1 liefert keine Knoten-Scores; seine Kanten sind im Graphen.</translation>
    </message>
    <message>
        <source>%1 · scores from %2</source>
        <translation>%1 · Scores aus %2</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>%1 — %2, %3</source>
        <translation>%1 — %2, %3</translation>
    </message>
    <message>
        <source>The scores are from %1 (%2 pairs); this metric is on the %3 pairs in the table now (%4).</source>
        <translation>Die Scores stammen aus %1 (%2 Paare); diese Metrik gilt für die %3 Paare, die jetzt in der Tabelle stehen (%4).</translation>
    </message>
    <message>
        <source>other pairs</source>
        <translation>anderen Paaren</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>Kopf</translation>
    </message>
    <message>
        <source>clean</source>
        <translation>sauber</translation>
    </message>
    <message>
        <source>corrupted</source>
        <translation>korrumpiert</translation>
    </message>
    <message>
        <source>The prompt of the selected pair whose attention is shown</source>
        <translation>Der Prompt des gewählten Paars, dessen Attention gezeigt wird</translation>
    </message>
    <message>
        <source>All heads</source>
        <translation>Alle Köpfe</translation>
    </message>
    <message>
        <source>Every head of the layer side by side; click one to select it</source>
        <translation>Alle Köpfe der Schicht nebeneinander; Klick wählt einen aus</translation>
    </message>
    <message>
        <source>Exported %1</source>
        <translation>%1 exportiert</translation>
    </message>
    <message>
        <source>τ = %1 · %2 edges · metric %3</source>
        <translation>τ = %1 · %2 Kanten · Metrik %3</translation>
    </message>
    <message>
        <source> · τ = %1</source>
        <translation> · τ = %1</translation>
    </message>
    <message>
        <source>head</source>
        <translation>Kopf</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>

This run has %1 thresholds: choose another under Results (“Circuit at”).</source>
        <translation>

Dieser Lauf hat %1 Schwellen: eine andere unter Ergebnisse wählen („Schaltkreis bei“).</translation>
    </message>
    <message>
        <source>token position (first pair)</source>
        <translation>Token-Position (erstes Paar)</translation>
    </message>
    <message>
        <source>node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>%1 is a node of the circuit on the graph (%2), not of the loaded model %3 (%4): it has no attention pattern or score here.</source>
        <translation>%1 ist ein Knoten des Schaltkreises im Graphen (%2), nicht des geladenen Modells %3 (%4): Hier hat er kein Attention-Muster und keinen Score.</translation>
    </message>
    <message>
        <source>%1 is not a node of the loaded model %2 (%3).</source>
        <translation>%1 ist kein Knoten des geladenen Modells %2 (%3).</translation>
    </message>
    <message>
        <source>The corrupted prompt cannot be encoded: %1</source>
        <translation>Der korrumpierte Prompt kann nicht kodiert werden: %1</translation>
    </message>
    <message>
        <source>layer %1 · pair %2 (%3)</source>
        <translation>Schicht %1 · Paar %2 (%3)</translation>
    </message>
    <message>
        <source>a%1.h%2 · pair %3 (%4)</source>
        <translation>a%1.h%2 · Paar %3 (%4)</translation>
    </message>
    <message>
        <source>key position (attended to)</source>
        <translation>Key-Position (beachtet)</translation>
    </message>
    <message>
        <source>query position</source>
        <translation>Query-Position</translation>
    </message>
    <message>
        <source>%1 is still being read; import %2 once it is shown.</source>
        <translation>%1 wird noch gelesen; %2 importieren, sobald es angezeigt ist.</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>Lese %1…</translation>
    </message>
    <message>
        <source>%1: could not be read</source>
        <translation>%1: konnte nicht gelesen werden</translation>
    </message>
    <message>
        <source>Imported %1: %2 edges, %3 in the circuit</source>
        <translation>%1 importiert: %2 Kanten, %3 im Schaltkreis</translation>
    </message>
    <message>
        <source>The graph&apos;s circuit as a sender × receiver grid appears here: every edge, at any size.</source>
        <translation>Hier erscheint der Schaltkreis des Graphen als Sender × Empfänger-Raster: jede Kante, in jeder Größe.</translation>
    </message>
    <message>
        <source>Sender × receiver</source>
        <translation>Sender × Empfänger</translation>
    </message>
    <message>
        <source>sender</source>
        <translation>Sender</translation>
    </message>
    <message>
        <source>receiver</source>
        <translation>Empfänger</translation>
    </message>
    <message>
        <source>Σ edge score</source>
        <translation>Σ Kanten-Score</translation>
    </message>
    <message>
        <source>edges in the circuit</source>
        <translation>Kanten im Schaltkreis</translation>
    </message>
    <message>
        <source>This result holds no scores to show.</source>
        <translation>Dieses Ergebnis enthält keine Scores zum Anzeigen.</translation>
    </message>
    <message>
        <source>%1 was read after the window changed: import it again to show it.</source>
        <translation>%1 wurde gelesen, nachdem sich das Fenster geändert hat: zum Anzeigen erneut importieren.</translation>
    </message>
    <message>
        <source>Every edge of the graph&apos;s circuit, q/k/v summed per receiver: wheel zooms, drag pans, a click lists the receiver&apos;s edges on the graph</source>
        <translation>Jede Kante des Schaltkreises im Graphen, q/k/v je Empfänger summiert: Mausrad zoomt, Ziehen verschiebt, ein Klick listet die Kanten des Empfängers am Graphen</translation>
    </message>
    <message>
        <source>The grid of %1&apos;s edges is made when this tab is shown.</source>
        <translation>Das Raster der Kanten von %1 wird erstellt, wenn dieser Reiter gezeigt wird.</translation>
    </message>
    <message>
        <source>Lessons</source>
        <translation>Lektionen</translation>
    </message>
    <message>
        <source>&amp;Lessons</source>
        <translation>&amp;Lektionen</translation>
    </message>
    <message>
        <source>Open a Lesson &amp;Folder…</source>
        <translation>Lektions&amp;ordner öffnen …</translation>
    </message>
    <message>
        <source>Open a Lesson Folder</source>
        <translation>Lektionsordner öffnen</translation>
    </message>
    <message>
        <source>How to Write a &amp;Lesson</source>
        <translation>Wie man eine &amp;Lektion schreibt</translation>
    </message>
    <message>
        <source>Which heads are induction, previous-token or duplicate-token heads: Run &gt; Find Induction and Previous-Token Heads.</source>
        <translation>Welche Köpfe Induktions-, Vorgänger-Token- oder Duplikat-Token-Köpfe sind: Ausführen &gt; Induktions- und Vorgänger-Token-Köpfe finden.</translation>
    </message>
    <message>
        <source>Head roles</source>
        <translation>Kopfrollen</translation>
    </message>
    <message>
        <source>Mean attention of every head on repeated random tokens: to the token after the earlier copy (induction), to the previous token, to the earlier copy</source>
        <translation>Mittlere Aufmerksamkeit jedes Kopfes auf wiederholten Zufallstoken: auf das Token nach der früheren Kopie (Induktion), auf das vorige Token, auf die frühere Kopie</translation>
    </message>
    <message>
        <source>Find &amp;Induction and Previous-Token Heads</source>
        <translation>&amp;Induktions- und Vorgänger-Token-Köpfe finden</translation>
    </message>
    <message>
        <source>Score every head on repeated random tokens and label the induction, previous-token and duplicate-token heads on the graph</source>
        <translation>Jeden Kopf auf wiederholten Zufallstoken bewerten und die Induktions-, Vorgänger-Token- und Duplikat-Token-Köpfe im Graphen beschriften</translation>
    </message>
    <message>
        <source>Finding induction heads failed: %1</source>
        <translation>Die Suche nach Induktionsköpfen ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Finding induction heads…</source>
        <translation>Induktionsköpfe werden gesucht…</translation>
    </message>
    <message>
        <source>Induction heads: %1. Previous-token heads: %2. (%3 s; labelled on the graph)</source>
        <translation>Induktionsköpfe: %1. Vorgänger-Token-Köpfe: %2. (%3 s; im Graphen beschriftet)</translation>
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
        <translation>Kanten-Attributions-Patching: Gradienten im sauberen Lauf, alle Kanten auf einmal</translation>
    </message>
    <message>
        <source>EAP-IG</source>
        <translation>EAP-IG</translation>
    </message>
    <message>
        <source>EAP-IG (inputs)</source>
        <translation>EAP-IG (Eingaben)</translation>
    </message>
    <message>
        <source>EAP with integrated gradients over inputs interpolated from the reference</source>
        <translation>EAP mit integrierten Gradienten über von der Referenz interpolierte Eingaben</translation>
    </message>
    <message>
        <source>EAP-IG (activations)</source>
        <translation>EAP-IG (Aktivierungen)</translation>
    </message>
    <message>
        <source>EAP with integrated gradients over interpolated sender activations</source>
        <translation>EAP mit integrierten Gradienten über interpolierte Sender-Aktivierungen</translation>
    </message>
    <message>
        <source>Clean-corrupted</source>
        <translation>Sauber-korrumpiert</translation>
    </message>
    <message>
        <source>Gradients averaged over the clean and the reference run</source>
        <translation>Gradienten gemittelt über den sauberen und den Referenzlauf</translation>
    </message>
    <message>
        <source>AtP</source>
        <translation>AtP</translation>
    </message>
    <message>
        <source>AtP (nodes)</source>
        <translation>AtP (Knoten)</translation>
    </message>
    <message>
        <source>Attribution patching of every component</source>
        <translation>Attributions-Patching jeder Komponente</translation>
    </message>
    <message>
        <source>Activation patching</source>
        <translation>Aktivierungs-Patching</translation>
    </message>
    <message>
        <source>Activation patching (nodes)</source>
        <translation>Aktivierungs-Patching (Knoten)</translation>
    </message>
    <message>
        <source>Patch every component to its reference, one at a time (exact)</source>
        <translation>Jede Komponente einzeln auf ihre Referenz patchen (exakt)</translation>
    </message>
    <message>
        <source>Exact patching</source>
        <translation>Exaktes Patching</translation>
    </message>
    <message>
        <source>Exact edge patching</source>
        <translation>Exaktes Kanten-Patching</translation>
    </message>
    <message>
        <source>One masked evaluation per edge (exact; slow on large models)</source>
        <translation>Eine maskierte Auswertung je Kante (exakt; langsam bei großen Modellen)</translation>
    </message>
    <message>
        <source>ACDC</source>
        <translation>ACDC</translation>
    </message>
    <message>
        <source>Greedy edge removal from the logits backwards with threshold τ</source>
        <translation>Gieriges Entfernen von Kanten von den Logits rückwärts mit Schwelle τ</translation>
    </message>
    <message>
        <source>Path patching</source>
        <translation>Pfad-Patching</translation>
    </message>
    <message>
        <source>Path patching (nodes)</source>
        <translation>Pfad-Patching (Knoten)</translation>
    </message>
    <message>
        <source>Each sender&apos;s effect on chosen receivers, through the chosen senders only</source>
        <translation>Die Wirkung jedes Senders auf die gewählten Empfänger, nur über die gewählten Sender</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::PairTableModel</name>
    <message>
        <source>not validated</source>
        <translation>nicht geprüft</translation>
    </message>
    <message>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <source>Several answers: separate them with “ | ”. A leading space is part of the token.</source>
        <translation>Mehrere Antworten mit „ | “ trennen. Ein führendes Leerzeichen gehört zum Token.</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>Zeile</translation>
    </message>
    <message>
        <source>Clean</source>
        <translation>Sauber</translation>
    </message>
    <message>
        <source>Corrupted</source>
        <translation>Korrumpiert</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <source>Wrong answer</source>
        <translation>Falsche Antwort</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Edit %1 of row %2</source>
        <translation>%1 in Zeile %2 bearbeiten</translation>
    </message>
    <message>
        <source>Add a pair</source>
        <translation>Paar hinzufügen</translation>
    </message>
    <message>
        <source>Delete a pair</source>
        <translation>Ein Paar löschen</translation>
    </message>
    <message>
        <source>Delete %1 pairs</source>
        <translation>%1 Paare löschen</translation>
    </message>
    <message>
        <source>Drop %1 invalid pairs</source>
        <translation>%1 ungültige Paare verwerfen</translation>
    </message>
    <message>
        <source>There are no prompt pairs.</source>
        <translation>Es gibt keine Prompt-Paare.</translation>
    </message>
    <message>
        <source>The pairs are not validated: load a model with a tokenizer.</source>
        <translation>Die Paare sind nicht geprüft: Laden Sie ein Modell mit Tokenizer.</translation>
    </message>
    <message>
        <source>Every pair has errors: fix them or generate new pairs.</source>
        <translation>Jedes Paar hat Fehler: Beheben Sie sie oder erzeugen Sie neue Paare.</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::PromptEditor</name>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Add an empty pair after the selected one</source>
        <translation>Ein leeres Paar nach dem gewählten einfügen</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Delete the selected pairs</source>
        <translation>Die gewählten Paare löschen</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>Importieren …</translation>
    </message>
    <message>
        <source>Open prompt pairs from a file</source>
        <translation>Prompt-Paare aus einer Datei öffnen</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren …</translation>
    </message>
    <message>
        <source>Save the pairs as native CSV/JSON, EAP-IG CSV or auto-circuit JSON</source>
        <translation>Die Paare als natives CSV/JSON, EAP-IG-CSV oder auto-circuit-JSON speichern</translation>
    </message>
    <message>
        <source>Generate…</source>
        <translation>Erzeugen …</translation>
    </message>
    <message>
        <source>Generate pairs for IOI, greater-than, induction or docstring</source>
        <translation>Paare für IOI, Greater-than, Induktion oder Docstring erzeugen</translation>
    </message>
    <message>
        <source>Drop invalid</source>
        <translation>Ungültige verwerfen</translation>
    </message>
    <message>
        <source>Delete every pair with an error (undoable)</source>
        <translation>Jedes fehlerhafte Paar löschen (rückgängig machbar)</translation>
    </message>
    <message>
        <source>%1: EAP-IG CSV needs every pair valid (%2 have errors)</source>
        <translation>%1: EAP-IG-CSV braucht lauter gültige Paare (%2 haben Fehler)</translation>
    </message>
    <message>
        <source>Select a pair to see its tokens</source>
        <translation>Wählen Sie ein Paar, um seine Tokens zu sehen</translation>
    </message>
    <message>
        <source>No prompt pairs yet: Import… a file or Generate… a task.</source>
        <translation>Noch keine Prompt-Paare: Importieren Sie eine Datei oder erzeugen Sie eine Aufgabe.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; · %2 · pairs: %3</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; · %2 · Paare: %3</translation>
    </message>
    <message>
        <source>unsaved pairs</source>
        <translation>ungespeicherte Paare</translation>
    </message>
    <message>
        <source> · task %1</source>
        <translation> · Aufgabe %1</translation>
    </message>
    <message>
        <source> · not validated (no model tokenizer yet)</source>
        <translation> · nicht geprüft (noch kein Tokenizer des Modells)</translation>
    </message>
    <message>
        <source> · all valid</source>
        <translation> · alle gültig</translation>
    </message>
    <message>
        <source> · &lt;span style=&quot;color:#b00020&quot;&gt;with errors: %1&lt;/span&gt; (hover a red row)</source>
        <translation> · &lt;span style=&quot;color:#b00020&quot;&gt;mit Fehlern: %1&lt;/span&gt; (Maus über eine rote Zeile)</translation>
    </message>
    <message>
        <source>Import Prompt Pairs</source>
        <translation>Prompt-Paare importieren</translation>
    </message>
    <message>
        <source>Prompt pairs (*.csv *.json);;All files (*)</source>
        <translation>Prompt-Paare (*.csv *.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Native CSV (*.csv)</source>
        <translation>Natives CSV (*.csv)</translation>
    </message>
    <message>
        <source>Native JSON (*.json)</source>
        <translation>Natives JSON (*.json)</translation>
    </message>
    <message>
        <source>EAP-IG CSV (*.csv)</source>
        <translation>EAP-IG-CSV (*.csv)</translation>
    </message>
    <message>
        <source>auto-circuit JSON (*.json)</source>
        <translation>auto-circuit-JSON (*.json)</translation>
    </message>
    <message>
        <source>Export Prompt Pairs</source>
        <translation>Prompt-Paare exportieren</translation>
    </message>
    <message>
        <source>Generating pairs needs the model&apos;s tokenizer: load a model first.</source>
        <translation>Zum Erzeugen von Paaren wird der Tokenizer des Modells gebraucht: Laden Sie zuerst ein Modell.</translation>
    </message>
    <message>
        <source>Generate Prompt Pairs</source>
        <translation>Prompt-Paare erzeugen</translation>
    </message>
    <message>
        <source>Task:</source>
        <translation>Aufgabe:</translation>
    </message>
    <message>
        <source>Corruption:</source>
        <translation>Korruption:</translation>
    </message>
    <message>
        <source>Pairs:</source>
        <translation>Paare:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Startwert:</translation>
    </message>
    <message>
        <source>IOI templates:</source>
        <translation>IOI-Vorlagen:</translation>
    </message>
    <message>
        <source>Induction length T:</source>
        <translation>Induktionslänge T:</translation>
    </message>
    <message>
        <source>Generate %1 pairs</source>
        <translation>%1 Paare erzeugen</translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation>%1 öffnen</translation>
    </message>
    <message>
        <source>Undo: %1</source>
        <translation>Rückgängig: %1</translation>
    </message>
    <message>
        <source>Nothing to undo</source>
        <translation>Nichts rückgängig zu machen</translation>
    </message>
    <message>
        <source>Redo: %1</source>
        <translation>Wiederholen: %1</translation>
    </message>
    <message>
        <source>Nothing to redo</source>
        <translation>Nichts zu wiederholen</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::RunPanel</name>
    <message>
        <source>Method:</source>
        <translation>Methode:</translation>
    </message>
    <message>
        <source>logit difference</source>
        <translation>Logit-Differenz</translation>
    </message>
    <message>
        <source>logit(answer) − logit(wrong answer)</source>
        <translation>logit(Antwort) − logit(falsche Antwort)</translation>
    </message>
    <message>
        <source>probability difference</source>
        <translation>Wahrscheinlichkeitsdifferenz</translation>
    </message>
    <message>
        <source>Σ p(answers) − Σ p(wrong answers) (greater-than)</source>
        <translation>Σ p(Antworten) − Σ p(falsche Antworten) (Greater-than)</translation>
    </message>
    <message>
        <source>KL divergence</source>
        <translation>KL-Divergenz</translation>
    </message>
    <message>
        <source>KL(clean ‖ patched) at the answer position</source>
        <translation>KL(sauber ‖ gepatcht) an der Antwortposition</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <source>Cross-entropy of the answer</source>
        <translation>Kreuzentropie der Antwort</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>Metrik:</translation>
    </message>
    <message>
        <source>corrupted prompt</source>
        <translation>korrumpierter Prompt</translation>
    </message>
    <message>
        <source>Patch in the paired corrupted prompt&apos;s activation</source>
        <translation>Die Aktivierung des zugehörigen korrumpierten Prompts einsetzen</translation>
    </message>
    <message>
        <source>zero</source>
        <translation>null</translation>
    </message>
    <message>
        <source>Zero ablation</source>
        <translation>Null-Ablation</translation>
    </message>
    <message>
        <source>mean (per position)</source>
        <translation>Mittel (je Position)</translation>
    </message>
    <message>
        <source>Mean over the corrupted prompts, per position</source>
        <translation>Mittel über die korrumpierten Prompts, je Position</translation>
    </message>
    <message>
        <source>mean (all positions)</source>
        <translation>Mittel (alle Positionen)</translation>
    </message>
    <message>
        <source>Mean over the corrupted prompts and positions</source>
        <translation>Mittel über die korrumpierten Prompts und Positionen</translation>
    </message>
    <message>
        <source>Reference:</source>
        <translation>Referenz:</translation>
    </message>
    <message>
        <source>Integrated-gradient steps m</source>
        <translation>Schritte m der integrierten Gradienten</translation>
    </message>
    <message>
        <source>Steps:</source>
        <translation>Schritte:</translation>
    </message>
    <message>
        <source>Prompt pairs per forward pass</source>
        <translation>Prompt-Paare je Vorwärtslauf</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Stapelgröße:</translation>
    </message>
    <message>
        <source>ACDC thresholds τ, comma-separated: one circuit each</source>
        <translation>ACDC-Schwellen τ, durch Kommas getrennt: je ein Schaltkreis</translation>
    </message>
    <message>
        <source>ACDC τ:</source>
        <translation>ACDC-τ:</translation>
    </message>
    <message>
        <source>every edge</source>
        <translation>jede Kante</translation>
    </message>
    <message>
        <source>ACDC visits only EAP&apos;s top k edges (0: every edge)</source>
        <translation>ACDC besucht nur die k besten Kanten von EAP (0: jede Kante)</translation>
    </message>
    <message>
        <source>ACDC on top:</source>
        <translation>ACDC auf den besten:</translation>
    </message>
    <message>
        <source>per position</source>
        <translation>je Position</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Ausführen</translation>
    </message>
    <message>
        <source>Run the method on the valid prompt pairs (Ctrl+R)</source>
        <translation>Die Methode auf den gültigen Prompt-Paaren ausführen (Strg+R)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop the running computation (Esc)</source>
        <translation>Die laufende Berechnung anhalten (Esc)</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>Ergebnisse</translation>
    </message>
    <message>
        <source>Results computed in this session; select one to show it</source>
        <translation>In dieser Sitzung berechnete Ergebnisse; zum Anzeigen eines auswählen</translation>
    </message>
    <message>
        <source>%1 — %2%</source>
        <translation>%1 — %2 %</translation>
    </message>
    <message>
        <source>k/v per query head (MIB)</source>
        <translation>k/v je Query-Kopf (MIB)</translation>
    </message>
    <message>
        <source>Grouped-query models: give every query head its own key and value inputs in the graph (a3.h5&lt;k&gt;), as MIB&apos;s circuits for Llama, Qwen and Gemma were made, instead of one per key/value head (a3.kv1&lt;k&gt;, fewer edges)</source>
        <translation>Modelle mit Grouped-Query-Attention: jedem Query-Kopf eigene Key- und Value-Eingänge im Graphen geben (a3.h5&lt;k&gt;), wie MIBs Schaltkreise für Llama, Qwen und Gemma entstanden, statt einem je Key/Value-Kopf (a3.kv1&lt;k&gt;, weniger Kanten)</translation>
    </message>
    <message>
        <source> · %1 elapsed</source>
        <translation> · %1 vergangen</translation>
    </message>
    <message>
        <source>, about %1 left</source>
        <translation>, noch etwa %1</translation>
    </message>
    <message>
        <source>Circuit at:</source>
        <translation>Schaltkreis bei:</translation>
    </message>
    <message>
        <source>ACDC found one circuit per threshold τ: choose the one on the graph</source>
        <translation>ACDC fand je Schwelle τ einen Schaltkreis: den im Graphen gezeigten wählen</translation>
    </message>
    <message>
        <source>What this means (the user guide)</source>
        <translation>Was das bedeutet (Benutzerhandbuch)</translation>
    </message>
    <message>
        <source>Chosen for Gemma models (the ? says why).</source>
        <translation>Für Gemma-Modelle gewählt (das ? erklärt warum).</translation>
    </message>
    <message>
        <source>On Gemma, EAP misses the circuits of the scaled embeddings; EAP-IG finds them.</source>
        <translation>Bei Gemma übersieht EAP die Schaltkreise der skalierten Einbettungen; EAP-IG findet sie.</translation>
    </message>
</context>
<context>
    <name>patchbay::ui::TokenView</name>
    <message>
        <source>Select a pair to see its tokens</source>
        <translation>Wählen Sie ein Paar, um seine Tokens zu sehen</translation>
    </message>
    <message>
        <source>Load a model with a tokenizer to see tokens</source>
        <translation>Laden Sie ein Modell mit Tokenizer, um Tokens zu sehen</translation>
    </message>
    <message>
        <source>answer %1   wrong %2</source>
        <translation>Antwort %1   falsch %2</translation>
    </message>
    <message>
        <source>clean</source>
        <translation>sauber</translation>
    </message>
    <message>
        <source>corrupted</source>
        <translation>korrumpiert</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Find and inspect circuits in transformer language models.
Without --model, opens the bundled demo model and its induction dataset.</source>
        <translation>Schaltkreise in Transformer-Sprachmodellen finden und untersuchen.
Ohne --model wird das mitgelieferte Demo-Modell mit seinem Induktions-Datensatz geöffnet.</translation>
    </message>
    <message>
        <source>Open the model &lt;path&gt;: a GGUF file, a safetensors file, or a Hugging Face model folder (config.json, model.safetensors, tokenizer.json).</source>
        <translation>Das Modell &lt;path&gt; öffnen: eine GGUF-Datei, eine safetensors-Datei oder einen Hugging-Face-Modellordner (config.json, model.safetensors, tokenizer.json).</translation>
    </message>
    <message>
        <source>Open the prompt-pair file &lt;file&gt; (CSV or JSON).</source>
        <translation>Die Prompt-Paar-Datei &lt;file&gt; öffnen (CSV oder JSON).</translation>
    </message>
    <message>
        <source>Load the model on &lt;device&gt;: cpu, cuda, cuda:N or auto (default: cpu).</source>
        <translation>Das Modell auf &lt;device&gt; laden: cpu, cuda, cuda:N oder auto (Vorgabe: cpu).</translation>
    </message>
    <message>
        <source>Compute in &lt;dtype&gt;: float32, bfloat16 or float16 (default: float32).</source>
        <translation>In &lt;dtype&gt; rechnen: float32, bfloat16 oder float16 (Vorgabe: float32).</translation>
    </message>
    <message>
        <source>Once the model has loaded, run &lt;method&gt; (eap, eap-ig, atp, activation-patching, exact, acdc, …) on the prompt pairs.</source>
        <translation>Sobald das Modell geladen ist, &lt;method&gt; (eap, eap-ig, atp, activation-patching, exact, acdc, …) auf den Prompt-Paaren ausführen.</translation>
    </message>
    <message>
        <source>Open the saved session &lt;file&gt; (.pbsession): its model, prompt pairs, scores and view.</source>
        <translation>Die gespeicherte Sitzung &lt;file&gt; (.pbsession) öffnen: Modell, Prompt-Paare, Scores und Ansicht.</translation>
    </message>
    <message>
        <source>A .pbsession file to open (as --session).</source>
        <translation>Eine zu öffnende .pbsession-Datei (wie --session).</translation>
    </message>
    <message>
        <source>Unexpected argument: %1 (see --help)</source>
        <translation>Unerwartetes Argument: %1 (siehe --help)</translation>
    </message>
    <message>
        <source>Show the window in &lt;lang&gt;: en, de or zh_CN (default: the language chosen in View &gt; Language, else the system&apos;s).</source>
        <translation>Das Fenster in &lt;lang&gt; zeigen: en, de oder zh_CN (Vorgabe: die unter Ansicht &gt; Sprache gewählte, sonst die des Systems).</translation>
    </message>
    <message>
        <source>Show the circuit file &lt;file&gt; on the graph (EAP-IG/MIB JSON, a Patchbay circuit, auto-circuit&apos;s edge list, …), as File &gt; Import Circuit.</source>
        <translation>Die Schaltkreisdatei &lt;file&gt; im Graphen zeigen (EAP-IG/MIB-JSON, ein Patchbay-Schaltkreis, die Kantenliste von auto-circuit, …), wie Datei &gt; Schaltkreis importieren.</translation>
    </message>
</context>
</TS>
