// Which questions of an XForm JavaRosa (the form engine of ODK Collect, shipped inside
// pyxform's ODK_Validate.jar) shows for given answer sets.
//
// Usage: java -cp ODK_Validate.jar tests/java/XFormRelevance.java FORM.xml CASES.tsv
//   CASES.tsv: one answer set per line, tab-separated `name=value` cells (a multiple choice
//   or ranking as its space-separated codes, ODK style); an absent name is unanswered.
// Prints one line per answer set: the names of the questions and groups the form reaches,
// space-separated. JavaRosa steps past every non-relevant question (and group), so a name
// that is missing from the line was hidden.
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
import org.javarosa.core.model.data.UncastData;
import org.javarosa.core.model.instance.InstanceInitializationFactory;
import org.javarosa.form.api.FormEntryController;
import org.javarosa.form.api.FormEntryModel;
import org.javarosa.form.api.FormEntryPrompt;
import org.javarosa.xform.util.XFormUtils;

public class XFormRelevance {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java -cp ODK_Validate.jar XFormRelevance.java FORM.xml CASES.tsv");
            System.exit(2);
        }
        FormDef form = XFormUtils.getFormFromInputStream(new FileInputStream(args[0]));
        form.initialize(true, new InstanceInitializationFactory());
        FormEntryModel model = new FormEntryModel(form);
        FormEntryController controller = new FormEntryController(model);
        List<String> lines = Files.readAllLines(Paths.get(args[1]), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            clear(model, controller);
            out.append(visible(model, controller, parse(line))).append('\n');
        }
        System.out.print(out);
    }

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

    /** Empty every question, relevant or not, and go back to the start: one parsed form
     *  serves every answer set. */
    static void clear(FormEntryModel model, FormEntryController controller) {
        FormIndex index = FormIndex.createBeginningOfFormIndex();
        while (!(index = model.incrementIndex(index, true)).isEndOfFormIndex()) {
            if (model.getEvent(index) == FormEntryController.EVENT_QUESTION) {
                controller.saveAnswer(index, null, true);
            }
        }
        controller.jumpToIndex(FormIndex.createBeginningOfFormIndex());
    }

    static String visible(FormEntryModel model, FormEntryController controller,
                          Map<String, String> answers) {
        StringJoiner reached = new StringJoiner(" ");
        for (int event = controller.stepToNextEvent(); event != FormEntryController.EVENT_END_OF_FORM;
             event = controller.stepToNextEvent()) {
            if (event != FormEntryController.EVENT_QUESTION && event != FormEntryController.EVENT_GROUP) {
                continue;
            }
            String name = model.getFormIndex().getReference().getNameLast();
            reached.add(name);
            String value = answers.get(name);
            if (event == FormEntryController.EVENT_QUESTION && value != null) {
                FormEntryPrompt prompt = model.getQuestionPrompt();
                // saveAnswer, not answerQuestion: store the answer even where a constraint
                // would refuse it, as a data file can hold it
                controller.saveAnswer(AnswerDataFactory.template(prompt.getControlType(),
                        prompt.getDataType()).cast(new UncastData(value)), true);
            }
        }
        return reached.toString();
    }
}
