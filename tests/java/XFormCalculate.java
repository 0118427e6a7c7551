// The calculated values an XForm holds once JavaRosa (the form engine of ODK Collect,
// shipped inside pyxform's ODK_Validate.jar) has been given an answer set.
//
// Usage: java -cp ODK_Validate.jar tests/java/XFormCalculate.java FORM.xml CASES.tsv NAME...
//   CASES.tsv: one answer set per line, tab-separated `name=value` cells, as for
//   XFormRelevance.java; an absent name is unanswered.
// Prints one line per answer set: the values of the top-level fields NAME..., tab-separated
// (an empty field as an empty cell).
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.javarosa.core.model.FormDef;
import org.javarosa.core.model.FormIndex;
import org.javarosa.core.model.data.AnswerDataFactory;
import org.javarosa.core.model.data.IAnswerData;
import org.javarosa.core.model.data.UncastData;
import org.javarosa.core.model.instance.InstanceInitializationFactory;
import org.javarosa.core.model.instance.TreeElement;
import org.javarosa.form.api.FormEntryController;
import org.javarosa.form.api.FormEntryModel;
import org.javarosa.form.api.FormEntryPrompt;
import org.javarosa.xform.util.XFormUtils;

public class XFormCalculate {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: java -cp ODK_Validate.jar XFormCalculate.java FORM.xml CASES.tsv NAME...");
            System.exit(2);
        }
        FormDef form = XFormUtils.getFormFromInputStream(new FileInputStream(args[0]));
        form.initialize(true, new InstanceInitializationFactory());
        FormEntryModel model = new FormEntryModel(form);
        FormEntryController controller = new FormEntryController(model);
        List<String> lines = Files.readAllLines(Paths.get(args[1]), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            fill(model, controller, XFormRelevanceParse.parse(line));
            TreeElement root = form.getMainInstance().getRoot();
            StringJoiner values = new StringJoiner("\t");
            for (int i = 2; i < args.length; i++) {
                TreeElement element = root.getChild(args[i], 0);
                IAnswerData value = element == null ? null : element.getValue();
                values.add(value == null ? "" : value.getDisplayText());
            }
            out.append(values).append('\n');
        }
        System.out.print(out);
    }

    /** Empty every question, then answer the ones in `answers` (relevant or not). */
    static void fill(FormEntryModel model, FormEntryController controller,
                     Map<String, String> answers) {
        FormIndex index = FormIndex.createBeginningOfFormIndex();
        while (!(index = model.incrementIndex(index, true)).isEndOfFormIndex()) {
            if (model.getEvent(index) == FormEntryController.EVENT_QUESTION) {
                controller.saveAnswer(index, null, true);
            }
        }
        index = FormIndex.createBeginningOfFormIndex();
        while (!(index = model.incrementIndex(index, true)).isEndOfFormIndex()) {
            if (model.getEvent(index) != FormEntryController.EVENT_QUESTION) {
                continue;
            }
            String value = answers.get(index.getReference().getNameLast());
            if (value != null) {
                FormEntryPrompt prompt = model.getQuestionPrompt(index);
                controller.saveAnswer(index, AnswerDataFactory.template(prompt.getControlType(),
                        prompt.getDataType()).cast(new UncastData(value)), true);
            }
        }
    }
}

class XFormRelevanceParse {
    static Map<String, String> parse(String line) {
        Map<String, String> answers = new HashMap<>();
        if (line.isEmpty()) {
            return answers;
        }
        for (String cell : line.split("\t")) {
            int eq = cell.indexOf('=');
            answers.put(cell.substring(0, eq), cell.substring(eq + 1));
        }
        return answers;
    }
}
